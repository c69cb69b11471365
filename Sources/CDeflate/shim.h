#ifndef SPINECOUNT_CDEFLATE_SHIM_H
#define SPINECOUNT_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
