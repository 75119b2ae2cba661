// Prints the thread counts minigrad and OpenBLAS start with, or the error MG_NUM_THREADS gives;
// parallel_test runs it under different environments.
#include <cblas.h>

#include <iostream>

#include "minigrad/tensor/error.h"
#include "minigrad/tensor/parallel.h"

int main() {
  try {
    const int threads = mg::get_num_threads();
    std::cout << "minigrad " << threads << ", OpenBLAS " << openblas_get_num_threads() << "\n";
  } catch (const mg::Error& error) {
    std::cout << error.what() << "\n";
  }
}
