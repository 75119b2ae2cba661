#pragma once

// Everything a minigrad user needs: tensors, autograd and nn modules.
#include "minigrad/autograd/grad_mode.h"
#include "minigrad/autograd/gradcheck.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/nn/attention.h"
#include "minigrad/nn/dropout.h"
#include "minigrad/nn/linear.h"
#include "minigrad/nn/module.h"
#include "minigrad/nn/safetensors.h"
#include "minigrad/tensor/compare.h"
#include "minigrad/tensor/dropout.h"
#include "minigrad/tensor/dtype.h"
#include "minigrad/tensor/error.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/print.h"
#include "minigrad/tensor/random.h"
#include "minigrad/tensor/tensor.h"
