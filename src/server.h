/*
 * Core server types shared by the keyspace, the protocol layer and the
 * commands: values (kobj), databases, clients, the command table, replies
 * and the global server state.
 *
 * Threading: everything here belongs to the main thread, which owns the
 * keyspace and executes commands.
 */
#ifndef KEYPORT_SERVER_H
#define KEYPORT_SERVER_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ae.h"
#include "conn.h"
#include "dict.h"
#include "kstr.h"
#include "log.h"
#include "resp.h"
#include "zmalloc.h"

#define KEYPORT_VERSION "0.1.0"
/* Redis version announced to clients (HELLO, INFO redis_version) so that
 * client libraries enable the features keyport implements. */
#define KEYPORT_REDIS_COMPAT_VERSION "7.0.0"

#define C_OK 0
#define C_ERR -1

#define CONFIG_DEFAULT_DBNUM 16
#define CONFIG_DEFAULT_PORT 6379
#define PROTO_IOBUF_LEN (1024 * 16) /* read chunk */
#define PROTO_REPLY_CHUNK_BYTES (16 * 1024)
#define PROTO_INLINE_MAX_SIZE (1024 * 64)
#define PROTO_MBULK_BIG_ARG (1024 * 32)
#define LONG_STR_SIZE 21
#define OBJ_SHARED_INTEGERS 10000

/* ---------- values ---------- */

#define OBJ_STRING 0
#define OBJ_LIST 1
#define OBJ_SET 2
#define OBJ_ZSET 3
#define OBJ_HASH 4

/* Encodings, numbered as Redis numbers them (OBJECT ENCODING names). */
#define OBJ_ENCODING_RAW 0
#define OBJ_ENCODING_INT 1
#define OBJ_ENCODING_HT 2
#define OBJ_ENCODING_INTSET 6
#define OBJ_ENCODING_SKIPLIST 7
#define OBJ_ENCODING_EMBSTR 8
#define OBJ_ENCODING_QUICKLIST 9
#define OBJ_ENCODING_LISTPACK 11

#define OBJ_EMBSTR_SIZE_LIMIT 44
#define OBJ_LRU_BITS 24

/* A value. Strings: RAW and EMBSTR hold a kstr in ptr (EMBSTR shares the
 * allocation with the object); INT holds the number itself in ptr. */
typedef struct kobj {
    unsigned type : 4;
    unsigned encoding : 4;
    unsigned lru : OBJ_LRU_BITS; /* seconds clock, for OBJECT IDLETIME */
    int refcount;                /* INT_MAX: shared, never freed */
    void *ptr;
} kobj;

kobj *obj_create(int type, void *ptr);
/* New string object holding a copy of p (EMBSTR when short). */
kobj *obj_create_string(const char *p, size_t len);
kobj *obj_create_raw_string(const char *p, size_t len);
/* Takes ownership of s. */
kobj *obj_create_from_kstr(kstr s);
kobj *obj_create_from_ll(long long v);
kobj *obj_create_from_long_double(long double v, int humanfriendly);
kobj *obj_dup_string(kobj *o);
/* Returns an equivalent, possibly smaller, object (INT, shared integer or
 * EMBSTR); takes over the caller's reference to o. */
kobj *obj_try_encode(kobj *o);
/* A RAW/EMBSTR view of a string object, with a new reference. */
kobj *obj_get_decoded(kobj *o);
void incr_ref(kobj *o);
void decr_ref(kobj *o);
void decr_ref_void(void *o);
size_t string_obj_len(kobj *o);
/* Copies a string object's bytes into buf (for INT: the digits); returns
 * a pointer to the bytes, which may point into o itself. */
const char *string_obj_ptr(kobj *o, char *buf, size_t buflen, size_t *len);
int string_obj_equal(kobj *a, kobj *b);
int obj_get_ll(kobj *o, long long *v);            /* C_OK / C_ERR */
int obj_get_long_double(kobj *o, long double *v); /* C_OK / C_ERR */
int obj_get_double(kobj *o, double *v);           /* C_OK / C_ERR */
const char *obj_type_name(kobj *o);
const char *obj_encoding_name(int encoding);
size_t obj_memory_usage(kobj *o);
/* Shared integers 0..OBJ_SHARED_INTEGERS-1 and common replies. */
void obj_create_shared(void);
extern kobj *shared_integers[OBJ_SHARED_INTEGERS];

/* Number helpers (util.c). */
int string2ll(const char *s, size_t len, long long *value); /* 1 ok, 0 not */
int string2l(const char *s, size_t len, long *value);
int string2ld(const char *s, size_t len, long double *value);
int string2d(const char *s, size_t len, double *value);
int ll2string(char *dst, size_t dstlen, long long v); /* returns length */
int ull2string(char *dst, size_t dstlen, unsigned long long v);
int ld2string(char *buf, size_t len, long double value, int humanfriendly);
int d2string(char *buf, size_t len, double value);
/* Glob-style matching as Redis' KEYS / SCAN MATCH. */
int string_match_len(const char *pattern, size_t plen, const char *s, size_t slen, int nocase);
long long ustime(void);
long long mstime(void);
void get_random_hex_chars(char *p, size_t len);
void get_random_bytes(unsigned char *p, size_t len);
/* Parses "10mb", "1gb", "512" into bytes; sets *err non-zero on error. */
long long memtoll(const char *p, int *err);
/* "1.23M" style human sizes (INFO memory). */
void bytes_to_human(char *s, size_t len, unsigned long long n);

/* ---------- databases ---------- */

typedef struct kdb {
    dict *keys;    /* kstr -> kobj * */
    dict *expires; /* kstr (shared with keys) -> int64 ms unix time */
    int id;
    long long avg_ttl;
    unsigned long expires_cursor;
} kdb;

struct client;

/* Lookups honour expiry (lazy expire) and update hit/miss statistics.
 * Return the value, or NULL. */
kobj *db_lookup_read(kdb *db, kobj *key);
kobj *db_lookup_write(kdb *db, kobj *key);
/* Like db_lookup_read but replies a null and returns NULL when absent, or
 * replies WRONGTYPE and returns NULL when type differs (type < 0: any). */
kobj *db_lookup_read_or_reply(struct client *c, kobj *key, int type);
/* Adds a new key (must not exist); takes over the caller's reference to
 * val (incr_ref first to keep one). The key bytes are copied. */
void db_add(kdb *db, kobj *key, kobj *val);
/* Replaces the value of an existing key (its TTL stays); takes over the
 * caller's reference to val and releases the old value. */
void db_overwrite(kdb *db, kobj *key, kobj *val);
/* Add or overwrite; keepttl keeps an existing TTL, else it is removed.
 * Takes its own reference to val (the caller keeps its reference), as
 * Redis' setKey, and signals the key as modified. */
void db_set_key(kdb *db, kobj *key, kobj *val, int keepttl);
int db_delete(kdb *db, kobj *key); /* 1 if deleted */
int db_exists(kdb *db, kobj *key);
kobj *db_random_key(kdb *db); /* new reference, or NULL */
long long db_size(kdb *db);
/* Expiry: absolute unix time in ms, -1 when none. */
long long db_get_expire(kdb *db, kobj *key);
void db_set_expire(kdb *db, kobj *key, long long when_ms);
int db_remove_expire(kdb *db, kobj *key);
/* Deletes key if its TTL passed; returns 1 if it was expired. */
int db_expire_if_needed(kdb *db, kobj *key);
/* Deletes every key of dbnum (-1: all databases); returns keys removed.
 * async frees values in a background thread when large. */
long long db_empty(int dbnum, int async);
/* Swaps two databases; C_ERR on a bad id. */
int db_swap(int id1, int id2);
/* Active expiry, called from the server cron (slow) and before sleep (fast). */
#define ACTIVE_EXPIRE_CYCLE_SLOW 0
#define ACTIVE_EXPIRE_CYCLE_FAST 1
void active_expire_cycle(int type);
/* Incremental rehashing of the keyspace, from the cron. */
void db_rehash_cron(void);
/* Hook for WATCH and keyspace notifications (later issues). */
void signal_modified_key(struct client *c, kdb *db, kobj *key);
void db_init(void);

/* ---------- clients ---------- */

#define CLIENT_CLOSE_AFTER_REPLY (1ULL << 0)
#define CLIENT_CLOSE_ASAP (1ULL << 1)
#define CLIENT_PENDING_WRITE (1ULL << 2)
#define CLIENT_REPLY_OFF (1ULL << 3)
#define CLIENT_REPLY_SKIP_NEXT (1ULL << 4)
#define CLIENT_REPLY_SKIP (1ULL << 5)
#define CLIENT_NO_EVICT (1ULL << 6)
#define CLIENT_PROTOCOL_ERROR (1ULL << 7)
#define CLIENT_FAKE (1ULL << 8) /* no connection (AOF loading, tests) */
#define CLIENT_EXECUTING (1ULL << 9)
#define CLIENT_NO_TOUCH (1ULL << 10)
#define CLIENT_WRITE_HANDLER (1ULL << 11) /* networking.c: a write handler is installed */
#define CLIENT_PUBSUB (1ULL << 24)        /* pubsub.c: subscribed to a channel or pattern */
/* Transactions (multi.c) and blocking commands (blocked.c). */
#define CLIENT_MULTI (1ULL << 16)         /* in MULTI: commands are queued */
#define CLIENT_DIRTY_CAS (1ULL << 17)     /* a WATCHed key changed: EXEC fails */
#define CLIENT_DIRTY_EXEC (1ULL << 18)    /* a command was refused while queueing */
#define CLIENT_DENY_BLOCKING (1ULL << 19) /* blocking commands do not block (EXEC) */
#define CLIENT_BLOCKED (1ULL << 20)       /* waiting on keys: input is not processed */

#define PROTO_REQ_INLINE 1
#define PROTO_REQ_MULTIBULK 2

/* Output buffer limit classes (client-output-buffer-limit). */
#define CLIENT_TYPE_NORMAL 0
#define CLIENT_TYPE_REPLICA 1
#define CLIENT_TYPE_PUBSUB 2
#define CLIENT_TYPE_OBUF_COUNT 3

typedef struct client_buffer_limit {
    unsigned long long hard_limit_bytes;
    unsigned long long soft_limit_bytes;
    time_t soft_limit_seconds;
} client_buffer_limit;

/* A block of the reply list, used once the static buffer is full. */
typedef struct reply_block {
    struct reply_block *next;
    size_t size; /* usable bytes in buf */
    size_t used;
    char buf[];
} reply_block;

struct kcommand;

typedef struct client {
    uint64_t id;
    connection *conn; /* NULL for fake clients */
    int resp;         /* 2 or 3 */
    kdb *db;
    kstr name; /* CLIENT SETNAME, or NULL */
    kstr user; /* authenticated user name ("default") */
    int authenticated;
    struct acl_user *acl_user; /* acl.h: permissions; NULL for fake clients (no limits) */
    uint64_t flags;            /* CLIENT_* */
    kstr querybuf;             /* unparsed input, NULL when none is pending */
    size_t qb_pos;             /* parsed prefix of querybuf */
    size_t querybuf_peak;
    resp_parser parser; /* request parser state (resp.h) */
    int argc;
    kobj **argv;
    int argv_cap;
    size_t argv_len_sum;
    struct kcommand *cmd, *lastcmd;
    time_t ctime;               /* creation, seconds */
    long long last_interaction; /* ms, for timeout / idle */
    /* Output: first the fixed buffer, then the block list. */
    char *buf;
    size_t buf_size;
    size_t bufpos;
    size_t sentlen; /* bytes of the current buffer/block already written */
    reply_block *reply_head, *reply_tail;
    size_t reply_bytes; /* bytes held in the block list */
    unsigned long reply_blocks;
    time_t obuf_soft_limit_reached_time;
    size_t buf_peak; /* peak bufpos since the last resize check */
    long long buf_peak_last_reset_time;
    /* Membership in server lists (intrusive). */
    struct client *prev, *next;  /* server.clients */
    struct client *pending_next; /* server.pending_writes */
    struct client *close_next;   /* server.clients_to_close */
    /* Statistics for CLIENT LIST / INFO. */
    unsigned long long net_input_bytes, net_output_bytes, commands_processed;
    int last_reply_error; /* set by add_reply_error for stats */
    /* Pub/Sub (pubsub.c): sets of kstr channels, patterns and shard
     * channels; NULL until the first subscription. */
    dict *pubsub_channels;
    dict *pubsub_patterns;
    dict *pubsub_shard_channels;
    /* Transactions (multi.c): commands queued since MULTI and the WATCHed
     * keys; NULL when none. Blocking (blocked.c): NULL unless blocked. */
    struct multi_state *mstate;
    struct watch_state *watched;
    struct blocking_state *bstate;
} client;

/* Creates a client for an accepted (CONNECTED) connection, or a fake client
 * when conn is NULL (not in server.clients; its replies stay in buf and the
 * reply blocks, never written). */
client *client_create(connection *conn);
/* Frees now (the connection is closed). A client executing a command is
 * only closed and taken off the server's lists; its memory goes at the next
 * before-sleep. */
void client_free(client *c);
/* Frees at the next before-sleep. */
void client_free_async(client *c);
void free_clients_in_async_queue(void);
/* Reads from the connection and executes complete commands. */
void read_query_from_client(connection *conn);
/* Parses and executes what the query buffer holds. */
void process_input_buffer(client *c);
/* Writes pending replies of every client flagged CLIENT_PENDING_WRITE;
 * installs write handlers for those that could not finish. */
int handle_clients_with_pending_writes(void);
int client_has_pending_replies(client *c);
/* Closes clients idle longer than `timeout`, enforces output buffer soft
 * limits and shrinks query buffers. Called from the server cron. */
void clients_cron(void);
/* Accept callback for listeners: maxclients, then client_create. */
void accept_new_client(connection *conn);
/* Client type for output buffer limits. */
int client_type(client *c);
/* One CLIENT LIST line (without the newline). */
kstr client_info_string(kstr s, client *c);
/* Frees argv of the last command. */
void client_reset_argv(client *c);
/* Size of every output buffer of c (for limits and INFO). */
size_t client_output_memory(client *c);
/* Applies the output buffer limit; returns 1 if the client gets closed. */
int client_check_output_limits_async(client *c);
/* Finds a client by id, NULL if absent. */
client *client_lookup_by_id(uint64_t id);
/* Address of the peer (remote != 0) or local end as CLIENT LIST shows it:
 * "ip:port", "[ipv6]:port" or "path:0"; empty for fake clients. */
void client_addr_string(client *c, int remote, char *buf, size_t len);

/* ---------- replies (reply.c) ---------- */

void add_reply_proto(client *c, const char *s, size_t len); /* raw RESP bytes */
void add_reply_ok(client *c);
void add_reply_status(client *c, const char *status); /* +status */
void add_reply_status_len(client *c, const char *s, size_t len);
/* err is the whole message with its code, e.g. "ERR syntax error" or
 * "WRONGTYPE Operation against a key holding the wrong kind of value".
 * Newlines in it are replaced by spaces. */
void add_reply_error(client *c, const char *err);
void add_reply_error_len(client *c, const char *err, size_t len);
void add_reply_errorf(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void add_reply_error_arity(client *c);
void add_reply_error_syntax(client *c);
void add_reply_error_wrongtype(client *c);
void add_reply_error_not_integer(client *c);
void add_reply_error_subcommand(client *c); /* unknown subcommand ... Try HELP. */
void add_reply_bulk(client *c, kobj *o);
void add_reply_bulk_buf(client *c, const void *p, size_t len);
void add_reply_bulk_cstr(client *c, const char *s); /* NULL: null reply */
void add_reply_bulk_kstr(client *c, kstr s);        /* takes ownership */
void add_reply_bulk_ll(client *c, long long v);
void add_reply_ll(client *c, long long v);
void add_reply_double(client *c, double d);                 /* RESP3 ,d ; RESP2 bulk */
void add_reply_long_double_human(client *c, long double d); /* INCRBYFLOAT */
void add_reply_bool(client *c, int b);                      /* RESP3 #t ; RESP2 :1/:0 */
void add_reply_null(client *c);                             /* RESP3 _ ; RESP2 $-1 */
void add_reply_null_array(client *c);                       /* RESP3 _ ; RESP2 *-1 */
void add_reply_array_len(client *c, long n);
void add_reply_map_len(client *c, long n);  /* RESP2: array of 2n */
void add_reply_set_len(client *c, long n);  /* RESP2: array */
void add_reply_push_len(client *c, long n); /* RESP2: array */
void add_reply_verbatim(client *c, const char *s, size_t len, const char *ext); /* RESP2: bulk */
void add_reply_help(client *c, const char *const *lines); /* NULL-terminated */
/* Deferred lengths: reserve now, fill in once the count is known. */
void *add_reply_deferred_len(client *c);
void set_deferred_array_len(client *c, void *node, long n);
void set_deferred_map_len(client *c, void *node, long n);
void set_deferred_set_len(client *c, void *node, long n);
/* Argument parsing that replies on error; return C_OK / C_ERR. msg is the
 * whole error ("ERR timeout is out of range"; one without an upper-case
 * code gets "ERR " in front), NULL for Redis' default text. */
int get_ll_from_obj_or_reply(client *c, kobj *o, long long *v, const char *msg);
int get_long_from_obj_or_reply(client *c, kobj *o, long *v, const char *msg);
int get_range_long_from_obj_or_reply(client *c, kobj *o, long min, long max, long *v,
                                     const char *msg);
int get_positive_long_from_obj_or_reply(client *c, kobj *o, long *v, const char *msg);
int get_long_double_from_obj_or_reply(client *c, kobj *o, long double *v, const char *msg);
int get_double_from_obj_or_reply(client *c, kobj *o, double *v, const char *msg);
/* Marks c as having replies to write (queued in server.pending_writes). */
void client_install_write_handler(client *c);
/* Appends to the reply without checking REPLY OFF/SKIP (internal). */
void reply_append(client *c, const char *s, size_t len);

/* ---------- commands ---------- */

#define CMD_WRITE (1ULL << 0)
#define CMD_READONLY (1ULL << 1)
#define CMD_DENYOOM (1ULL << 2)
#define CMD_ADMIN (1ULL << 3)
#define CMD_PUBSUB (1ULL << 4)
#define CMD_NOSCRIPT (1ULL << 5)
#define CMD_BLOCKING (1ULL << 6)
#define CMD_LOADING (1ULL << 7)
#define CMD_STALE (1ULL << 8)
#define CMD_SKIP_MONITOR (1ULL << 9)
#define CMD_SKIP_SLOWLOG (1ULL << 10)
#define CMD_FAST (1ULL << 11)
#define CMD_NO_AUTH (1ULL << 12)
#define CMD_MAY_REPLICATE (1ULL << 13)
#define CMD_NO_MULTI (1ULL << 14)
#define CMD_ALLOW_BUSY (1ULL << 15)
#define CMD_PROTECTED (1ULL << 16) /* enable-debug-command style guard */

typedef void command_proc(client *c);

/* One command or subcommand. Arity as Redis: N exact, -N at least N
 * (the command name counts). Keys: first_key/last_key/key_step as in
 * COMMAND INFO (last_key -1: to the end). */
typedef struct kcommand {
    const char *name;
    command_proc *proc;
    int arity;
    uint64_t flags;
    int first_key, last_key, key_step;
    const char *group;   /* "string", "generic", "server", "connection" */
    const char *summary; /* COMMAND DOCS */
    const char *since;   /* Redis version the command appeared in */
    const char *complexity;
    const char *acl_categories;   /* space separated, e.g. "@write @string @fast" */
    const char *syntax;           /* argument synopsis for COMMAND DOCS / HELP */
    struct kcommand *subcommands; /* array ended by an entry with name NULL */
    struct kcommand *parent;      /* set at init for subcommands */
    /* Statistics (INFO commandstats). */
    long long calls, microseconds, rejected_calls, failed_calls;
    double usec_carry; /* fraction of a microsecond not yet in microseconds */
    kstr fullname;     /* "config|get", set at init */
    int acl_id;        /* acl_commands.c: bit of the ACL permission bitmaps, set at init */
} kcommand;

/* Each command file exports one table ended by an entry with name NULL. */
extern kcommand string_commands[];        /* t_string.c */
extern kcommand keys_commands[];          /* cmd_keys.c */
extern kcommand server_commands[];        /* cmd_server.c */
extern kcommand conn_commands[];          /* cmd_conn.c (PING, HELLO, CLIENT, ...) */
extern kcommand config_commands[];        /* config_cmd.c */
extern kcommand list_commands[];          /* t_list.c (blocking list pops included) */
extern kcommand multi_commands[];         /* multi.c (MULTI EXEC DISCARD WATCH UNWATCH) */
extern kcommand zset_blocking_commands[]; /* t_zset_block.c (BZPOPMIN BZPOPMAX BZMPOP) */
extern kcommand set_commands[];           /* t_set.c */
extern kcommand bitops_commands[];        /* bitops.c */
extern kcommand hll_commands[];           /* hyperloglog.c */
extern kcommand pubsub_commands[];        /* pubsub.c */
extern kcommand sort_commands[];          /* sort.c */
extern kcommand debug_commands[];         /* debug.c */
extern kcommand memory_commands[];        /* memory.c */
extern kcommand hash_commands[];          /* t_hash.c */
extern kcommand zset_commands[];          /* t_zset.c */
extern kcommand acl_commands[];           /* acl_cmd.c */
extern kcommand dump_commands[];          /* cmd_dump.c (DUMP RESTORE) */
extern kcommand persist_commands[];       /* cmd_persist.c (SAVE BGSAVE LASTSAVE) */
extern kcommand aof_commands[];           /* cmd_aof.c (BGREWRITEAOF) */

void commands_init(void);
/* Finds the command for argv (handling container commands such as CONFIG
 * GET); NULL when unknown. */
kcommand *command_lookup(kobj **argv, int argc);
kcommand *command_lookup_name(const char *name);
/* Iterates over all top-level commands (COMMAND LIST, COUNT). */
dict *commands_dict(void);
/* Checks arity, auth, limits, then runs c->cmd. Replies with an error when
 * refused. Returns C_OK, or C_ERR if the client was freed. */
int process_command(client *c);
/* Runs cmd->proc with statistics. */
void call(client *c);

/* ---------- server ---------- */

/* Values of enable-debug-command and enable-protected-configs. */
#define PROTECTED_ACTION_ALLOWED_NO 0
#define PROTECTED_ACTION_ALLOWED_YES 1
#define PROTECTED_ACTION_ALLOWED_LOCAL 2 /* only from loopback / unix sockets */

struct server {
    pid_t pid;
    ae_loop *el;
    char *executable; /* absolute path of keyport-server */
    char *configfile; /* absolute path, NULL when none */
    char **exec_argv;
    int exec_argc;
    char runid[41];
    int dbnum;
    kdb *db;
    dict *commands;
    /* clients */
    client *clients_head, *clients_tail;
    unsigned long nclients;
    client *pending_writes;
    client *clients_to_close;
    client *current_client;
    uint64_t next_client_id;
    /* time, cached once per event-loop iteration */
    time_t unixtime;
    long long mstime;
    long long ustime;
    unsigned int lruclock;
    long long start_time_ms;
    long long cronloops;
    int shutdown_asap;
    int shutdown_flags;
    /* configuration (see config.c for the table) */
    int port;
    char **bindaddr;
    int bindaddr_count;
    char *unixsocket;
    unsigned int unixsocketperm;
    int tls_port;
    char *tls_transport;
    int tcp_backlog;
    int tcpkeepalive;
    int maxidletime; /* `timeout`, seconds, 0 = never */
    unsigned int maxclients;
    long long proto_max_bulk_len;
    unsigned long long client_max_querybuf_len;
    client_buffer_limit client_obuf_limits[CLIENT_TYPE_OBUF_COUNT];
    int hz;
    int config_hz;
    int dynamic_hz; /* stored; hz does not adapt to the client count yet */
    int verbosity;
    char *logfile;
    int syslog_enabled;
    int daemonize;
    char *pidfile;
    char *requirepass; /* NULL: no password */
    int active_expire_enabled;
    int active_expire_effort;
    int activerehashing;
    int lazyfree_lazy_user_flush;
    int lazyfree_lazy_user_del;
    int protected_mode;
    int io_threads_num;
    int io_threads_do_reads;
    unsigned long long maxmemory;
    char *dir;
    int latency_tracking;
    int enable_debug_cmd; /* PROTECTED_ACTION_ALLOWED_* */
    int max_new_conns_per_cycle;
    int max_new_tls_conns_per_cycle;
    long long tls_handshake_timeout; /* ms */
    int tls_auto_reload_interval;    /* seconds between file checks, 0 = off */
    long long tls_auto_reload_last;  /* ms of the last check */
    long long stat_tls_auto_reloads;
    long long stat_tls_auto_reload_failures;
    int tls_replication;          /* stored: replication is a later issue */
    int tls_cluster;              /* stored: cluster is a later issue */
    int enable_protected_configs; /* PROTECTED_ACTION_ALLOWED_* */
    /* ACL configuration (acl.h). */
    char *acl_filename;       /* aclfile, NULL when none */
    long long acllog_max_len; /* entries kept by ACL LOG */
    int acl_pubsub_default;   /* 1: new users get allchannels, 0: resetchannels */
    /* Persistence configuration (persist.h, rdb.h, aof.h). */
    int appendonly;
    char *dbfilename;
    long long *save_params; /* pairs: seconds, changes */
    int save_params_count;  /* number of pairs */
    int rdb_compression;    /* rdbcompression: LZF for strings over 20 bytes */
    int rdb_checksum;       /* rdbchecksum: CRC64 trailer (0 written when off) */
    int stop_writes_on_bgsave_err;
    int rdb_save_incremental_fsync;
    int sanitize_dump_payload; /* SANITIZE_DUMP_* */
    int rdb_key_save_delay;    /* microseconds per key saved (tests) */
    int key_load_delay;        /* microseconds per key loaded (tests) */
    char *aof_filename;        /* appendfilename: base name of the AOF parts */
    char *aof_dirname;         /* appenddirname, relative to dir */
    int aof_fsync;             /* AOF_FSYNC_* */
    int aof_no_fsync_on_rewrite;
    int aof_rewrite_perc;
    long long aof_rewrite_min_size;
    int aof_load_truncated;
    int aof_use_rdb_preamble;
    int aof_timestamp_enabled;
    int aof_rewrite_incremental_fsync;
    /* Persistence state shared by the core and the persistence files. */
    long long dirty; /* changes since the last successful save (save points) */
    int loading;     /* 1 while a dataset is loaded: nothing is propagated */
    /* statistics */
    long long stat_numcommands;
    long long stat_numconnections;
    long long stat_rejected_conn;
    long long stat_expiredkeys;
    long long stat_expired_stale_perc;
    long long stat_keyspace_hits;
    long long stat_keyspace_misses;
    long long stat_net_input_bytes;
    long long stat_net_output_bytes;
    long long stat_total_error_replies;
    long long stat_unexpected_error_replies;
    long long stat_client_qbuf_limit_disconnections;
    long long stat_client_outbuf_limit_disconnections;
    long long stat_evictedkeys;
    long long stat_total_reads_processed;
    long long stat_total_writes_processed;
    size_t stat_peak_memory;
    long long stat_reset_time;
    long long stat_ops_samples[16]; /* instantaneous_ops_per_sec */
    int stat_ops_idx;
    long long stat_ops_last_cmds, stat_ops_last_ms;
    /* errorstats: error code -> count */
    dict *errors;
    /* Pub/Sub (pubsub.c): kstr channel / pattern / shard channel -> the
     * set of clients subscribed (a dict of client *). */
    dict *pubsub_channels;
    dict *pubsub_patterns;
    dict *pubsub_shard_channels;
    int notify_keyspace_events; /* NOTIFY_* flags (notify.h) */
    long long set_max_intset_entries;
    long long hll_sparse_max_bytes;
    size_t stat_startup_memory; /* used memory once initialised (INFO used_memory_startup) */
    int list_max_listpack_size; /* > 0: entries per quicklist node; < 0: -1..-5 size class */
    int list_compress_depth;    /* stored; quicklist nodes are not compressed */
    /* Compact encodings of hashes and sorted sets (listpack) hold at most
     * this many entries, each at most this many bytes. */
    unsigned long long hash_max_listpack_entries;
    unsigned long long hash_max_listpack_value;
    unsigned long long zset_max_listpack_entries;
    unsigned long long zset_max_listpack_value;
};

extern struct server server;

#define SANITIZE_DUMP_NO 0
#define SANITIZE_DUMP_YES 1
#define SANITIZE_DUMP_CLIENTS 2
#define AOF_FSYNC_NO 0
#define AOF_FSYNC_ALWAYS 1
#define AOF_FSYNC_EVERYSEC 2

/* Shutdown flags (SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]). */
#define SHUTDOWN_NOFLAGS 0
#define SHUTDOWN_SAVE 1
#define SHUTDOWN_NOSAVE 2
#define SHUTDOWN_NOW 4
#define SHUTDOWN_FORCE 8

/* Stops listeners, frees clients, removes the pid file and exits. */
int prepare_for_shutdown(int flags);
/* Startup, in main's order: defaults (creates the event loop), config, then
 * the rest of the state sized from the config. */
void server_init_state(void);
void server_init(void);
/* Loads tcp and unix when no loadtransport line did; called by the config
 * loader right after the loadtransport lines. */
void transports_autoload(void);
/* tls-auto-reload-interval: reloads the contexts of listeners whose TLS
 * files changed on disk since the last check. Called from the cron. */
void tls_auto_reload_cron(void);
void update_cached_time(void);
/* Applies server.port/bindaddr/unixsocket/tls-port to the implicit
 * listeners (startup and CONFIG SET). Returns C_OK or C_ERR with err set. */
int listeners_apply_shorthands(char *err, size_t errlen);
/* INFO text for the given section ("default", "all", "server", ...), or
 * for several sections separated by spaces ("server clients"). */
kstr gen_info_string(kstr info, const char *section);
/* CONFIG RESETSTAT: zeroes the statistics INFO reports (stats, command
 * and error statistics, peak memory). */
void stats_reset(void);
/* Counts an error reply for INFO errorstats (code = first word). */
void stat_count_error(const char *err, size_t len);

#endif
