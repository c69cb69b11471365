/* PNG decoding and encoding with libpng's classic API; see include/CPNGCodec.h.
 *
 * Every function that calls into libpng sets its own setjmp point, so a png_error
 * (which longjmps) only ever unwinds C frames of this file. State that must survive
 * the longjmp lives on the heap (decoder and writer structs), never in locals that
 * change after setjmp. */

#include "CPNGCodec.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MESSAGE_CAPACITY = 512, WARNINGS_CAPACITY = 1024 };

/* Largest decompressed ancillary chunk (iCCP, zTXt, iTXt...) accepted. A compressed
 * chunk of a few kilobytes can inflate to gigabytes (a decompression bomb); real ICC
 * profiles and text are far below this. */
static const png_alloc_size_t ancillary_chunk_max_bytes = 8u * 1024u * 1024u;

/* Text, sPLT and kept unknown chunks accepted (libpng's default too): each is stored
 * in memory, and a file with thousands of them is hostile, not a micrograph. */
static const png_uint_32 metadata_chunk_max = 1000;

/* Compressed image data beyond what the header's pixels can need is refused. Deflate
 * expands incompressible data by at most 1/8 (9-bit fixed-Huffman literals; stored blocks
 * add far less), so IDAT data longer than the filtered image data plus an eighth plus
 * this slack cannot come from a sane encoder. Without the bound, libpng inflates any
 * excess to the end just to discard it: a 1 GiB file of excess deflate data (up to
 * ~1000:1) would cost about a terabyte of inflating. */
static const uint64_t idat_slack_bytes = 64u * 1024u;

/* Deflate's largest possible compression ratio (RFC 1951: a 258-byte match in 2 bits). */
static const uint64_t deflate_max_ratio = 1032;

/* The chunk type "IDAT" as libpng's png_get_io_chunk_type returns it (big-endian ASCII). */
static const png_uint_32 idat_chunk_type = 0x49444154u;

/* libpng's own ceiling for width and height (PNG_UINT_31_MAX). */
static const uint64_t png_dimension_max = 0x7fffffffu;

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

/* Appends `text` to a NUL-terminated buffer after `separator`, cutting at capacity. */
static void append_message(char *buffer, size_t capacity, const char *separator, const char *text) {
    size_t used = strlen(buffer);
    if (used + 1 >= capacity) return;
    snprintf(buffer + used, capacity - used, "%s%s", used > 0 ? separator : "", text ? text : "");
}

static void set_message(char *buffer, size_t capacity, const char *text) {
    snprintf(buffer, capacity, "%s", text ? text : "unknown libpng error");
}

/* MARK: Decoding */

struct pngcodec_decoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t offset;
    uint64_t max_pixels;
    /* 0 created, 1 header read, 2 finished or failed: the API must be used in this order. */
    int stage;
    int passes;
    /* Set once the size limit has been checked against IHDR. */
    int size_checked;
    /* Set when the failure is the size limit, so the message is not overwritten. */
    int too_large;
    /* IDAT data bytes read so far, and the most the header's pixels can need. */
    uint64_t idat_bytes;
    uint64_t idat_max_bytes;
    /* Set by the warning handler when a warning is reason enough to refuse the file; the
     * next read turns it into an error (see decoder_warning). */
    int refused;
    char refusal[MESSAGE_CAPACITY];
    pngcodec_header header;
    char message[MESSAGE_CAPACITY];
    char warnings[WARNINGS_CAPACITY];
};

static void decoder_error(png_structp png, png_const_charp text) {
    pngcodec_decoder *decoder = png_get_error_ptr(png);
    if (!decoder->too_large) set_message(decoder->message, sizeof decoder->message, text);
    png_longjmp(png, 1);
}

/* Whether a libpng warning says an ancillary chunk broke a memory limit: a chunk over
 * ancillary_chunk_max_bytes, a compressed text or ICC profile inflating beyond it (libpng
 * reports the cut as "truncated"), or more chunks than libpng caches. Warnings about
 * the content of metadata (an odd ICC profile, a bad keyword) are not among them. */
static int is_limit_warning(const char *text) {
    static const char *const markers[] = {
        "too large", "exceeds", "truncated", "insufficient memory", "out of memory", "chunk cache",
    };
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        if (strstr(text, markers[i]) != NULL) return 1;
    }
    return 0;
}

/* libpng only warns, and goes on, when metadata breaks a size limit (the chunk is dropped)
 * or when the pixels' zlib stream goes on past the last row or is damaged there (the rest
 * is discarded; "Too much image data", "Extra compressed data", a bad Adler-32). A real
 * microscopy PNG does none of this, while a decompression bomb does exactly this, so such
 * a file is refused. The error is raised from the next read callback rather than here,
 * inside libpng's warning path. */
static void decoder_warning(png_structp png, png_const_charp text) {
    pngcodec_decoder *decoder = png_get_error_ptr(png);
    append_message(decoder->warnings, sizeof decoder->warnings, "\n", text);
    if (text == NULL || decoder->refused) return;
    if (png_get_io_chunk_type(png) == idat_chunk_type) {
        decoder->refused = 1;
        snprintf(decoder->refusal, sizeof decoder->refusal,
                 "the compressed image data goes on past the %lu x %lu pixels of the header or is damaged "
                 "there, refused as a possible decompression bomb (libpng: \"%s\")",
                 (unsigned long)png_get_image_width(png, decoder->info),
                 (unsigned long)png_get_image_height(png, decoder->info), text);
    } else if (is_limit_warning(text)) {
        decoder->refused = 1;
        snprintf(decoder->refusal, sizeof decoder->refusal,
                 "metadata over the limits (%u MiB a chunk once inflated, %d text or unknown chunks) "
                 "or cut short, refused as a possible decompression bomb (libpng: \"%s\")",
                 (unsigned)(ancillary_chunk_max_bytes >> 20), (int)metadata_chunk_max, text);
    }
}

/* Bytes of filtered image data (each row with its filter byte) of a non-interlaced image. */
static uint64_t filtered_bytes(uint64_t width, uint64_t height, uint64_t channels, uint64_t bit_depth) {
    return height * ((width * channels * bit_depth + 7) / 8 + 1);
}

/* The most IDAT data an image of this header can need; see idat_slack_bytes. */
static uint64_t idat_limit(uint64_t width, uint64_t height, uint64_t channels, uint64_t bit_depth,
                           int interlaced) {
    uint64_t filtered = filtered_bytes(width, height, channels, bit_depth);
    /* Adam7's seven passes add at most a filter byte and a partly filled byte per pass
     * row, fewer than 2 x 7 x (height + 7) bytes. */
    if (interlaced) filtered += 14 * (height + 7);
    return filtered + filtered / 8 + idat_slack_bytes;
}

/* Fails (by png_error) when the IHDR read so far claims more pixels than allowed. */
static void check_size(pngcodec_decoder *decoder) {
    const uint64_t width = png_get_image_width(decoder->png, decoder->info);
    const uint64_t height = png_get_image_height(decoder->png, decoder->info);
    if (width == 0 || height == 0) return; /* IHDR not read yet */
    decoder->size_checked = 1;
    /* Both factors are below 2^31, so the product cannot overflow 64 bits. */
    if (width * height > decoder->max_pixels) {
        decoder->too_large = 1;
        snprintf(decoder->message, sizeof decoder->message,
                 "the header claims %llu x %llu = %llu pixels, more than the limit of %llu pixels",
                 (unsigned long long)width, (unsigned long long)height,
                 (unsigned long long)(width * height), (unsigned long long)decoder->max_pixels);
        png_error(decoder->png, decoder->message);
    }
    /* Deflate codes at best a 258-byte match in 2 bits (RFC 1951), so no file can hold
     * more than deflate_max_ratio times its own size of image data. Checked before any
     * pixel memory is allocated: a 100-byte file claiming 16384 x 16384 RGB would
     * otherwise cost 1.5 GiB of samples before its truncation is found. */
    const uint64_t filtered = filtered_bytes(width, height, png_get_channels(decoder->png, decoder->info),
                                             png_get_bit_depth(decoder->png, decoder->info));
    if (filtered > (uint64_t)decoder->size * deflate_max_ratio + idat_slack_bytes) {
        char text[MESSAGE_CAPACITY];
        snprintf(text, sizeof text,
                 "the file is %llu bytes, too small to hold the %llu x %llu pixels its header declares "
                 "(deflate compresses at most %u:1): it is truncated or its header is damaged",
                 (unsigned long long)decoder->size, (unsigned long long)width, (unsigned long long)height,
                 (unsigned)deflate_max_ratio);
        png_error(decoder->png, text);
    }
}

static void decoder_read(png_structp png, png_bytep out, size_t length) {
    pngcodec_decoder *decoder = png_get_io_ptr(png);
    /* The first read after IHDR has been parsed (and its CRC checked) is the earliest
     * point where the claimed size is known and nothing has been allocated for pixels:
     * even a file that ends right after IHDR is refused for its size, not truncation. */
    if (!decoder->size_checked) check_size(decoder);
    if (decoder->refused) png_error(png, decoder->refusal);
    if (decoder->idat_max_bytes > 0 && png_get_io_chunk_type(png) == idat_chunk_type &&
        (png_get_io_state(png) & PNG_IO_CHUNK_DATA) != 0) {
        decoder->idat_bytes += length;
        if (decoder->idat_bytes > decoder->idat_max_bytes) {
            char text[MESSAGE_CAPACITY];
            snprintf(text, sizeof text,
                     "the compressed image data is longer than %llu bytes, more than the %lu x %lu pixels "
                     "of the header can need (a decompression bomb?)",
                     (unsigned long long)decoder->idat_max_bytes,
                     (unsigned long)png_get_image_width(png, decoder->info),
                     (unsigned long)png_get_image_height(png, decoder->info));
            png_error(png, text);
        }
    }
    if (length > decoder->size - decoder->offset) {
        png_error(png, "the file ends early (truncated PNG data)");
    }
    memcpy(out, decoder->data + decoder->offset, length);
    decoder->offset += length;
}

pngcodec_decoder *pngcodec_decoder_create(const uint8_t *data, size_t size, uint64_t max_pixels) {
    pngcodec_decoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) return NULL;
    decoder->data = data;
    decoder->size = size;
    decoder->max_pixels = max_pixels;
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder,
                                          decoder_error, decoder_warning);
    if (decoder->png != NULL) decoder->info = png_create_info_struct(decoder->png);
    if (decoder->png == NULL || decoder->info == NULL) {
        decoder->stage = 2;
        if (decoder->message[0] == 0) {
            set_message(decoder->message, sizeof decoder->message,
                        "libpng could not be initialised (out of memory or library version mismatch)");
        }
    }
    return decoder;
}

pngcodec_status pngcodec_decoder_read_header(pngcodec_decoder *decoder, pngcodec_header *header) {
    if (decoder == NULL || header == NULL) return PNGCODEC_FAILED;
    if (decoder->stage != 0) {
        if (decoder->message[0] == 0) {
            set_message(decoder->message, sizeof decoder->message, "the header was already read");
        }
        return PNGCODEC_FAILED;
    }
    decoder->stage = 2; /* until proven otherwise */
    png_structp png = decoder->png;
    png_infop info = decoder->info;

    if (setjmp(png_jmpbuf(png))) {
        if (!decoder->too_large && strstr(decoder->warnings, "exceeds user limit") != NULL) {
            /* libpng's own user limit fired inside its IHDR check; png_set_IHDR has
             * stored the claimed size before checking it. */
            snprintf(decoder->message, sizeof decoder->message,
                     "the header claims %lu x %lu pixels, more than the limit of %llu pixels",
                     (unsigned long)png_get_image_width(png, info),
                     (unsigned long)png_get_image_height(png, info),
                     (unsigned long long)decoder->max_pixels);
            decoder->too_large = 1;
        }
        return decoder->too_large ? PNGCODEC_TOO_LARGE : PNGCODEC_CORRUPT;
    }

    png_set_read_fn(png, decoder, decoder_read);
    /* Damaged data is an error, not a warning, in critical and ancillary chunks alike:
     * a silently dropped pHYs would change every measurement in microns. */
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    const uint64_t dimension_max =
        decoder->max_pixels < png_dimension_max ? decoder->max_pixels : png_dimension_max;
    png_set_user_limits(png, (png_uint_32)dimension_max, (png_uint_32)dimension_max);
    png_set_chunk_malloc_max(png, ancillary_chunk_max_bytes);
    png_set_chunk_cache_max(png, metadata_chunk_max);

    png_read_info(png, info);
    check_size(decoder); /* already done by the read callback; kept as the explicit guard */
    if (decoder->refused) png_error(png, decoder->refusal);

    const int bit_depth = png_get_bit_depth(png, info);
    const int color_type = png_get_color_type(png, info);
    decoder->idat_max_bytes = idat_limit(png_get_image_width(png, info), png_get_image_height(png, info),
                                         png_get_channels(png, info), bit_depth,
                                         png_get_interlace_type(png, info) != PNG_INTERLACE_NONE);

    /* Keep the file's own scale: no gamma, sRGB, sBIT or 16-to-8 conversions. */
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    /* Drops a real alpha channel and the one palette expansion makes from tRNS. */
    png_set_strip_alpha(png);
    /* PNG stores 16-bit samples big-endian; deliver them in host order. */
    if (bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
    decoder->passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    pngcodec_header result;
    memset(&result, 0, sizeof result);
    result.width = png_get_image_width(png, info);
    result.height = png_get_image_height(png, info);
    result.ihdr_bit_depth = bit_depth;
    result.ihdr_color_type = color_type;
    result.interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    result.channels = png_get_channels(png, info);
    result.sample_bits = png_get_bit_depth(png, info);

    png_uint_32 x_per_unit = 0, y_per_unit = 0;
    int unit = 0;
    if (png_get_pHYs(png, info, &x_per_unit, &y_per_unit, &unit) != 0) {
        result.has_phys = 1;
        result.phys_x_per_unit = x_per_unit;
        result.phys_y_per_unit = y_per_unit;
        result.phys_unit = unit;
    }

    const size_t expected_row_bytes =
        (size_t)result.width * (size_t)result.channels * (size_t)(result.sample_bits / 8);
    if ((result.channels != 1 && result.channels != 3) ||
        (result.sample_bits != 8 && result.sample_bits != 16) ||
        png_get_rowbytes(png, info) != expected_row_bytes) {
        snprintf(decoder->message, sizeof decoder->message,
                 "unsupported layout after conversion: %d channels of %d bits (colour type %d, depth %d)",
                 result.channels, result.sample_bits, color_type, bit_depth);
        return PNGCODEC_FAILED;
    }

    decoder->header = result;
    *header = result;
    decoder->stage = 1;
    return PNGCODEC_OK;
}

pngcodec_status pngcodec_decoder_read_pixels(pngcodec_decoder *decoder, uint16_t *samples,
                                             size_t sample_count) {
    if (decoder == NULL) return PNGCODEC_FAILED;
    if (decoder->stage != 1) {
        if (decoder->message[0] == 0) {
            set_message(decoder->message, sizeof decoder->message,
                        "pixels were requested before a successful header read");
        }
        return PNGCODEC_FAILED;
    }
    decoder->stage = 2;
    const pngcodec_header header = decoder->header;
    const size_t expected = (size_t)header.width * header.height * (size_t)header.channels;
    if (samples == NULL || sample_count != expected) {
        snprintf(decoder->message, sizeof decoder->message,
                 "the sample buffer holds %zu values, the image needs %zu", sample_count, expected);
        return PNGCODEC_FAILED;
    }
    png_structp png = decoder->png;
    /* Rows are decoded straight into the caller's buffer. 16-bit rows fill it exactly;
     * 8-bit rows are packed into its first half and widened in place afterwards, so no
     * second image-sized buffer is needed. */
    uint8_t *bytes = (uint8_t *)samples;
    const size_t row_bytes = (size_t)header.width * header.channels * (size_t)(header.sample_bits / 8);

    if (setjmp(png_jmpbuf(png))) return PNGCODEC_CORRUPT;

    /* Adam7 passes each revisit every row; libpng merges the new pixels into the row. */
    for (int pass = 0; pass < decoder->passes; pass++) {
        for (uint32_t y = 0; y < header.height; y++) {
            png_read_row(png, bytes + (size_t)y * row_bytes, NULL);
        }
    }
    /* Reading to IEND verifies the CRCs of the last IDAT and every chunk after it. */
    png_read_end(png, NULL);
    if (decoder->refused) png_error(png, decoder->refusal);

    if (header.sample_bits == 8) {
        /* Backwards: sample i occupies bytes 2i and 2i+1, which lie at or after byte i
         * and so have already been consumed. */
        for (size_t i = expected; i-- > 0;) samples[i] = bytes[i];
    }
    return PNGCODEC_OK;
}

const char *pngcodec_decoder_message(const pngcodec_decoder *decoder) {
    return decoder ? decoder->message : "out of memory";
}

const char *pngcodec_decoder_warnings(const pngcodec_decoder *decoder) {
    return decoder ? decoder->warnings : "";
}

void pngcodec_decoder_destroy(pngcodec_decoder *decoder) {
    if (decoder == NULL) return;
    if (decoder->png != NULL) {
        png_destroy_read_struct(&decoder->png, decoder->info ? &decoder->info : NULL, NULL);
    }
    free(decoder);
}

/* MARK: Encoding */

typedef struct {
    uint8_t *bytes;
    size_t count;
    size_t capacity;
    char error[MESSAGE_CAPACITY];
    char warnings[WARNINGS_CAPACITY];
} png_writer;

static void writer_error(png_structp png, png_const_charp text) {
    png_writer *writer = png_get_error_ptr(png);
    set_message(writer->error, sizeof writer->error, text);
    png_longjmp(png, 1);
}

static void writer_warning(png_structp png, png_const_charp text) {
    png_writer *writer = png_get_error_ptr(png);
    append_message(writer->warnings, sizeof writer->warnings, "; ", text);
}

static void writer_write(png_structp png, png_bytep data, size_t length) {
    png_writer *writer = png_get_io_ptr(png);
    if (length > writer->capacity - writer->count) {
        size_t capacity = writer->capacity ? writer->capacity : 4096;
        while (capacity - writer->count < length) {
            if (capacity > SIZE_MAX / 2) png_error(png, "the encoded PNG is too large for memory");
            capacity *= 2;
        }
        uint8_t *grown = realloc(writer->bytes, capacity);
        if (grown == NULL) png_error(png, "out of memory while encoding the PNG");
        writer->bytes = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->bytes + writer->count, data, length);
    writer->count += length;
}

static void writer_flush(png_structp png) { (void)png; }

pngcodec_status pngcodec_encode(const void *samples, uint32_t width, uint32_t height,
                                int channels, int bit_depth, uint32_t pixels_per_metre,
                                uint8_t **out_bytes, size_t *out_count,
                                char *message, size_t message_capacity) {
    if (out_bytes) *out_bytes = NULL;
    if (out_count) *out_count = 0;
    if (samples == NULL || out_bytes == NULL || out_count == NULL ||
        (channels != 1 && channels != 3) || (bit_depth != 8 && bit_depth != 16)) {
        if (message) set_message(message, message_capacity, "invalid arguments to pngcodec_encode");
        return PNGCODEC_FAILED;
    }
    png_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        if (message) set_message(message, message_capacity, "out of memory");
        return PNGCODEC_FAILED;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer,
                                              writer_error, writer_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        if (png) png_destroy_write_struct(&png, NULL);
        free(writer);
        if (message) set_message(message, message_capacity, "libpng could not be initialised");
        return PNGCODEC_FAILED;
    }

    if (setjmp(png_jmpbuf(png))) {
        if (message) {
            if (writer->warnings[0] != 0) {
                snprintf(message, message_capacity, "%s (libpng warnings: %s)",
                         writer->error, writer->warnings);
            } else {
                set_message(message, message_capacity, writer->error);
            }
        }
        png_destroy_write_struct(&png, &info);
        free(writer->bytes);
        free(writer);
        return PNGCODEC_FAILED;
    }

    png_set_write_fn(png, writer, writer_write, writer_flush);
    png_set_IHDR(png, info, width, height, bit_depth,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (pixels_per_metre > 0) {
        png_set_pHYs(png, info, pixels_per_metre, pixels_per_metre, PNG_RESOLUTION_METER);
    }
    png_write_info(png, info);
    /* Callers pass 16-bit samples in host order; PNG wants them big-endian. */
    if (bit_depth == 16 && host_is_little_endian()) png_set_swap(png);

    const uint8_t *rows = samples;
    const size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, rows + (size_t)y * row_bytes);
    png_write_end(png, info);

    png_destroy_write_struct(&png, &info);
    *out_bytes = writer->bytes;
    *out_count = writer->count;
    free(writer);
    if (message && message_capacity > 0) message[0] = 0;
    return PNGCODEC_OK;
}

void pngcodec_free(void *pointer) { free(pointer); }
