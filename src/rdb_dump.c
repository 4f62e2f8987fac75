/*
 * DUMP payloads (rdb.h): <type byte> <value> <RDB version: u16 LE>
 * <CRC64 of everything before: u64 LE>, the value serialized as in an RDB
 * file.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "rdb_internal.h"

#define DUMP_FOOTER_LEN 10 /* version (2) + CRC64 (8) */

kstr rdb_dump_payload(kobj *o) {
    rio r;
    rio_init_kstr_write(&r);
    rdb_write_byte(&r, (unsigned char)rdb_object_type(o));
    rdb_write_object(&r, o);
    unsigned char version[2] = {RDB_VERSION & 0xff, (RDB_VERSION >> 8) & 0xff};
    rio_write(&r, version, 2);
    kstr s = rio_take_kstr(&r);
    rio_release(&r);
    uint64_t crc = crc64(0, (const unsigned char *)s, kstr_len(s));
    unsigned char trailer[8];
    for (int i = 0; i < 8; i++) trailer[i] = (unsigned char)(crc >> (8 * i));
    return kstr_cat(s, trailer, 8);
}

kobj *rdb_restore_payload(const unsigned char *p, size_t len, char *err, size_t errlen) {
    if (len < DUMP_FOOTER_LEN) {
        snprintf(err, errlen, "ERR DUMP payload version or checksum are wrong");
        return NULL;
    }
    const unsigned char *footer = p + len - DUMP_FOOTER_LEN;
    unsigned version = (unsigned)footer[0] | (unsigned)footer[1] << 8;
    uint64_t stored = 0;
    for (int i = 7; i >= 0; i--) stored = (stored << 8) | footer[2 + i];
    if (version > RDB_VERSION || crc64(0, p, len - 8) != stored) {
        snprintf(err, errlen, "ERR DUMP payload version or checksum are wrong");
        return NULL;
    }

    rio r;
    rio_init_mem_read(&r, p, len - DUMP_FOOTER_LEN);
    rdb_reader rd;
    rdb_reader_init(&rd, &r);
    unsigned char type;
    kobj *o = NULL;
    rdb_obj_result res = RDB_OBJ_ERR;
    if (rdb_read_byte(&rd, &type, "the value type") == C_OK) {
        if (rdb_is_object_type(type))
            res = rdb_read_object(&rd, type, &o);
        else
            rdb_fail(&rd, "unknown RDB value type %d", type);
    }
    if (res == RDB_OBJ_OK && rio_remaining(&r) != 0) {
        rdb_fail(&rd, "%llu bytes after the value", rio_remaining(&r));
        decr_ref(o);
        res = RDB_OBJ_ERR;
    }
    if (res == RDB_OBJ_EMPTY) rdb_fail(&rd, "empty collection");
    rio_release(&r);
    if (res != RDB_OBJ_OK) {
        server_log(LL_VERBOSE, "RESTORE: bad payload at offset %llu: %s", rd.err_offset, rd.err);
        snprintf(err, errlen, "ERR Bad data format");
        return NULL;
    }
    return o;
}
