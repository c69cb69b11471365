#include "CPNGCodec.h"
#include <png.h>
int spinecount_cpngcodec_placeholder(void) { return PNG_LIBPNG_VER; }
