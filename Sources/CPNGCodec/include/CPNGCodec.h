#ifndef SPINECOUNT_CPNGCODEC_H
#define SPINECOUNT_CPNGCODEC_H

/* PNG decoding and encoding through libpng's classic API.
 *
 * libpng reports errors by longjmp, which Swift frames cannot survive, so every libpng
 * call lives behind these functions: each sets its own setjmp point, and an error comes
 * back as a status code plus libpng's own message text. Nothing here aborts or exits.
 * This header deliberately does not include <png.h>, so Swift sees only these types. */

#include <stddef.h>
#include <stdint.h>

typedef enum {
    PNGCODEC_OK = 0,
    /* libpng rejected the data (bad chunk, CRC error, truncation...); see the message. */
    PNGCODEC_CORRUPT = 1,
    /* The header claims more pixels than the caller's limit; nothing was allocated. */
    PNGCODEC_TOO_LARGE = 2,
    /* Memory could not be allocated, or the API was used out of order. */
    PNGCODEC_FAILED = 3,
} pngcodec_status;

/* The image as it will be delivered, known after the header has been read. */
typedef struct {
    uint32_t width;
    uint32_t height;
    /* As stored in IHDR: 1, 2, 4, 8 or 16. */
    int ihdr_bit_depth;
    /* As stored in IHDR: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
    int ihdr_color_type;
    int interlaced;
    /* Channels delivered: 1 (grey) or 3 (RGB; palette expanded, alpha dropped). */
    int channels;
    /* Significant bits of each delivered sample: 8 or 16. */
    int sample_bits;
    /* pHYs chunk, when present: pixels per unit along x and y; unit 1 is the metre, 0 unknown. */
    int has_phys;
    uint32_t phys_x_per_unit;
    uint32_t phys_y_per_unit;
    int phys_unit;
} pngcodec_header;

typedef struct pngcodec_decoder pngcodec_decoder;

/* Prepares to decode `size` bytes at `data`, which must stay valid until the decoder is
 * destroyed. `max_pixels` bounds width x height. Returns NULL only when out of memory. */
pngcodec_decoder *pngcodec_decoder_create(const uint8_t *data, size_t size, uint64_t max_pixels);

/* Reads the chunks up to the first IDAT and checks the size against the limit. */
pngcodec_status pngcodec_decoder_read_header(pngcodec_decoder *decoder, pngcodec_header *header);

/* Decodes every row into `samples`, which holds `sample_count` = width x height x channels
 * values in row order, then reads to IEND so damage after the pixels is caught too. */
pngcodec_status pngcodec_decoder_read_pixels(pngcodec_decoder *decoder, uint16_t *samples,
                                             size_t sample_count);

/* The reason for the last failure: libpng's own error message or the codec's. */
const char *pngcodec_decoder_message(const pngcodec_decoder *decoder);
/* libpng's warnings so far, one per line; empty when there were none. */
const char *pngcodec_decoder_warnings(const pngcodec_decoder *decoder);

void pngcodec_decoder_destroy(pngcodec_decoder *decoder);

/* Encodes width x height pixels of `channels` (1 grey, 3 RGB) samples at `bit_depth` (8 or 16).
 * Samples are bytes when bit_depth is 8 and native-endian uint16 when it is 16.
 * `pixels_per_metre` > 0 writes a pHYs chunk in metre units. On success `*out_bytes` holds
 * `*out_count` bytes to be released with pngcodec_free; on failure `message` holds the reason. */
pngcodec_status pngcodec_encode(const void *samples, uint32_t width, uint32_t height,
                                int channels, int bit_depth, uint32_t pixels_per_metre,
                                uint8_t **out_bytes, size_t *out_count,
                                char *message, size_t message_capacity);

void pngcodec_free(void *pointer);

#endif
