/* A BIO method whose reads and writes go to the host's raw layer
 * (host->raw_read/raw_write), so TLS runs over TCP, unix sockets or any
 * other base transport, never touching a file descriptor itself. */
#include "ossl.h"

static BIO_METHOD *raw_method;

static int bio_create(BIO *b) {
    BIO_set_init(b, 1);
    return 1;
}

static int bio_destroy(BIO *b) {
    BIO_set_data(b, NULL);
    return 1;
}

static int bio_read(BIO *b, char *buf, size_t len, size_t *done) {
    ossl_conn *conn = BIO_get_data(b);
    kp_io io = {0};
    BIO_clear_retry_flags(b);
    *done = 0;
    switch (tlsc_host()->raw_read(conn->kc, buf, len, &io)) {
    case KP_OK:
        conn->starved = 0;
        if (conn->sniff) {
            conn->sniff = 0;
            if (tlsc_sniff((const unsigned char *)buf, io.done) == TLSC_SNIFF_PLAINTEXT) {
                /* Not a TLS client: stop the handshake here; ossl_handshake
                 * answers it in plain text. */
                conn->plaintext = 1;
                return 0;
            }
        }
        *done = io.done;
        return 1;
    case KP_AGAIN:
        conn->raw_need = io.need ? io.need : KP_NEED_READ;
        BIO_set_retry_read(b);
        return 0;
    case KP_EOF: conn->raw_eof = 1; return 0;
    case KP_ERR: conn->raw_err = 1; return 0;
    }
    conn->raw_err = 1;
    return 0;
}

static int bio_write(BIO *b, const char *buf, size_t len, size_t *done) {
    ossl_conn *conn = BIO_get_data(b);
    kp_io io = {0};
    BIO_clear_retry_flags(b);
    *done = 0;
    switch (tlsc_host()->raw_write(conn->kc, buf, len, &io)) {
    case KP_OK: *done = io.done; return 1;
    case KP_AGAIN:
        conn->raw_need = io.need ? io.need : KP_NEED_WRITE;
        BIO_set_retry_write(b);
        return 0;
    case KP_EOF: conn->raw_eof = 1; return 0;
    case KP_ERR: conn->raw_err = 1; return 0;
    }
    conn->raw_err = 1;
    return 0;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    ossl_conn *conn = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1; /* raw writes are never buffered here */
    case BIO_CTRL_EOF: return conn && conn->raw_eof;
    default: return 0;
    }
}

int ossl_bio_init(char *err, size_t errlen) {
    if (raw_method) return 0;
    int index = BIO_get_new_index();
    BIO_METHOD *m = index > 0 ? BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "keyport raw") : NULL;
    if (!m || !BIO_meth_set_create(m, bio_create) || !BIO_meth_set_destroy(m, bio_destroy) ||
        !BIO_meth_set_read_ex(m, bio_read) || !BIO_meth_set_write_ex(m, bio_write) ||
        !BIO_meth_set_ctrl(m, bio_ctrl)) {
        BIO_meth_free(m);
        ERR_clear_error();
        return tlsc_errf(err, errlen, "cannot create the OpenSSL BIO method");
    }
    raw_method = m;
    return 0;
}

BIO *ossl_bio_new(ossl_conn *conn) {
    BIO *b = BIO_new(raw_method);
    if (b) BIO_set_data(b, conn);
    return b;
}
