#pragma once

// Everything a minigrad user needs: tensors, autograd and (as they arrive) nn modules.
#include "minigrad/autograd/grad_mode.h"
#include "minigrad/autograd/gradcheck.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/compare.h"
#include "minigrad/tensor/dropout.h"
#include "minigrad/tensor/dtype.h"
#include "minigrad/tensor/error.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/print.h"
#include "minigrad/tensor/random.h"
#include "minigrad/tensor/tensor.h"
