/*
 * CRC64 as Redis computes it for RDB files and DUMP payloads: the Jones
 * polynomial 0xad93d23594c935a9, bits reflected, initial value 0 (or the
 * crc passed in, to continue a running checksum), no final XOR. Check
 * value: crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9ca.
 *
 * Eight bytes are folded per step with eight derived tables ("slicing by
 * 8"), built once on first use. Thread-safe.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "rdb.h"

/* The Jones polynomial with its bits reversed (reflected form). */
#define CRC64_POLY_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void) {
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        crc_table[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

static uint64_t load_le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

uint64_t crc64(uint64_t crc, const unsigned char *p, size_t len) {
    pthread_once(&crc_once, crc_table_init);
    while (len >= 8) {
        crc ^= load_le64(p);
        crc = crc_table[7][crc & 0xff] ^ crc_table[6][(crc >> 8) & 0xff] ^
              crc_table[5][(crc >> 16) & 0xff] ^ crc_table[4][(crc >> 24) & 0xff] ^
              crc_table[3][(crc >> 32) & 0xff] ^ crc_table[2][(crc >> 40) & 0xff] ^
              crc_table[1][(crc >> 48) & 0xff] ^ crc_table[0][crc >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}
