/* fpset.h - a set of 20-byte request fingerprints: the memory dupefilter. */
#ifndef KUMO_FPSET_H
#define KUMO_FPSET_H

#include "kumo-int.h"

/*
 * Open addressing (linear probing) over KUMO_FPSET_SHARDS tables of 20-byte slots, no
 * allocation per fingerprint.  Fingerprints are SHA-1 digests: their bytes are already
 * uniform, so a slot's home is taken from them directly.  A shard grows by half when it is
 * 80% full (20 / 0.8 = 25 bytes a fingerprint just before, 37.5 just after), and only that
 * shard is copied: the old and the new table of one shard, not of the whole set, are alive
 * at once.  The all-zero fingerprint (the empty slot) is kept aside.  The full 160 bits are
 * kept and compared: two fingerprints are the same only when every byte is.
 */
#define KUMO_FPSET_SHARDS 64

typedef struct kumo_fpset_shard {
    unsigned char (*slot)[20];  /* owned; all-zero is empty */
    uint32_t len, cap;
} kumo_fpset_shard;

typedef struct kumo_fpset {
    kumo_fpset_shard shard[KUMO_FPSET_SHARDS];
    size_t len;
    bool zero_seen;
} kumo_fpset;

void kumo__fpset_init(kumo_fpset *s);
void kumo__fpset_release(kumo_fpset *s);

/* Adds fp; returns true when it was in the set already (the set is then unchanged). */
bool kumo__fpset_add(kumo_fpset *s, const unsigned char fp[20]);

/* Returns true when fp is in the set. */
bool kumo__fpset_has(const kumo_fpset *s, const unsigned char fp[20]);

/* Bytes of the slot tables (what the set costs beyond its struct). */
size_t kumo__fpset_bytes(const kumo_fpset *s);

#endif
