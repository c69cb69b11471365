#ifndef SPINECOUNT_CPNG_SHIM_H
#define SPINECOUNT_CPNG_SHIM_H
#include <png.h>
#endif
