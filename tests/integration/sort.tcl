# SORT and SORT_RO: numeric and ALPHA order, ASC/DESC, LIMIT, BY patterns
# (string keys, hash fields, nosort), GET patterns, STORE, on lists, sets
# and sorted sets.

start_server {tags {sort}} {
    test {Numeric sort of a list} {
        r del l
        r rpush l 3 -1 10 2.5 0
        list [r sort l] [r sort l desc] [r sort l asc]
    } {{-1 0 2.5 3 10} {10 3 2.5 0 -1} {-1 0 2.5 3 10}}

    test {ALPHA sort} {
        r del l
        r rpush l banana apple cherry 10 9
        list [r sort l alpha] [r sort l alpha desc]
    } {{10 9 apple banana cherry} {cherry banana apple 9 10}}

    test {Numeric sort of non-numbers fails} {
        r del l
        r rpush l 1 abc
        assert_error {ERR One or more scores can't be converted into double} {r sort l}
        r del l
        r rpush l 1 nan
        assert_error {ERR One or more scores can't be converted into double} {r sort l}
    }

    test {Numeric sort reads numbers as strtod does} {
        r del l
        r rpush l 0x10 " 3" "" 1e1 -inf
        r sort l
    } {-inf {} { 3} 1e1 0x10}

    test {Equal scores are ordered by the elements' bytes} {
        r del l
        r rpush l 1.0 1 01 1e0
        r sort l
    } {01 1 1.0 1e0}

    test {LIMIT} {
        r del l
        r rpush l 5 4 3 2 1
        list [r sort l limit 0 2] [r sort l limit 1 2] [r sort l limit 3 10] [r sort l limit 5 1] \
            [r sort l limit -1 2] [r sort l limit 2 -1] [r sort l limit 0 0] [r sort l desc limit 0 1]
    } {{1 2} {2 3} {4 5} {} {1 2} {3 4 5} {} 5}

    test {Sorting a set} {
        r del s
        r sadd s 5 1 3 x
        assert_error {ERR One or more scores can't be converted into double} {r sort s}
        r srem s x
        list [r sort s] [r sort s desc limit 0 2]
    } {{1 3 5} {5 3}}

    test {BY pattern with string weights} {
        r del l w_a w_b w_c
        r rpush l a b c
        r mset w_a 3 w_b 1 w_c 2
        list [r sort l by w_*] [r sort l by w_* desc] [r sort l by w_* limit 0 1]
    } {{b c a} {a c b} b}

    test {BY pattern with missing weights} {
        r del l w_a w_b w_c
        r rpush l a b c
        r set w_b 10
        r sort l by w_*
    } {a c b}

    test {BY pattern with ALPHA weights} {
        r del l w_a w_b w_c
        r rpush l a b c
        r mset w_a zz w_b aa
        list [r sort l by w_* alpha] [r sort l by w_* alpha desc]
    } {{c b a} {a b c}}

    test {BY without a star does not sort} {
        r del l
        r rpush l 3 1 2
        list [r sort l by nosort] [r sort l by nosort desc] [r sort l by nosort limit 1 1] \
            [r sort l by nosort desc limit 1 5]
    } {{3 1 2} {2 1 3} 1 {1 3}}

    test {BY nosort of a set with STORE sorts the result} {
        r del s d
        r sadd s c a b
        r sort s by nosort store d
        r lrange d 0 -1
    } {a b c}

    test {GET patterns} {
        r del l o_a o_b
        r rpush l b a c
        r mset o_a A o_b B
        list [r sort l alpha get o_*] [r sort l alpha get # get o_*] [r sort l by nosort get #]
    } {{A B {}} {a A b B c {}} {b a c}}

    test {GET of a non-string key is null} {
        r del l o_a
        r rpush l a
        r lpush o_a x
        r sort l alpha get o_*
    } {{}}

    test {BY and GET hash fields} {
        r del l h_a h_b h_c
        r rpush l a b c
        r hset h_a w 3 name Alice
        r hset h_b w 1 name Bob
        r hset h_c name Carol
        list [r sort l by h_*->w] [r sort l by h_*->w get h_*->name] [r sort l alpha get h_*->w]
    } {{c b a} {Carol Bob Alice} {3 1 {}}}

    test {STORE into a list} {
        r del l d
        r rpush l 3 1 2
        assert_equal [r sort l store d] 3
        assert_equal [r lrange d 0 -1] {1 2 3}
        assert_equal [r type d] list
        r set d x
        assert_equal [r sort l limit 0 1 store d] 1
        assert_equal [r lrange d 0 -1] {1}
        assert_equal [r sort l get missing_* store d] 3
        r lrange d 0 -1
    } {{} {} {}}

    test {STORE of an empty result deletes the destination} {
        r set d x
        assert_equal [r sort missing store d] 0
        r exists d
    } {0}

    test {SORT of a missing key} {
        r sort missing
    } {}

    test {SORT errors} {
        r del l str
        r rpush l 1
        r set str x
        assert_error {WRONGTYPE*} {r sort str}
        assert_error {ERR syntax error} {r sort l foo}
        assert_error {ERR syntax error} {r sort l limit 1}
        assert_error {ERR value is not an integer*} {r sort l limit a 1}
        assert_error {ERR syntax error} {r sort l by}
        assert_error {ERR wrong number of arguments for 'sort' command} {r sort}
    }

    test {SORT_RO does not store} {
        r del l
        r rpush l 2 1
        assert_equal [r sort_ro l] {1 2}
        assert_equal [r sort_ro l by nosort get # alpha desc] {1 2}
        assert_error {ERR syntax error} {r sort_ro l store d}
    }

    test {Sorting a sorted set} {
        r del z
        r zadd z 1 c 2 b 3 a
        list [r sort z alpha] [r sort z by nosort] [r sort z by nosort desc] \
            [r sort z by nosort limit 1 1]
    } {{a b c} {c b a} {a b c} b}

    test {SORT of a small sorted set converts it to a skiplist (Redis 7.0)} {
        r del z
        r zadd z 1 a
        assert_equal [r object encoding z] listpack
        r sort z alpha
        r object encoding z
    } {skiplist}

    test {RESP3 replies are arrays} {
        r del l
        r rpush l 1
        r hello 3
        set raw [r rawcmd sort l]
        r hello 2
        set raw
    } "*1\r\n\$1\r\n1\r\n"
}
