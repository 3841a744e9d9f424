/*
 * hash.h - the one string hash of the project: 64-bit FNV-1a, step by
 * step (so a caller can fold case or walk a name backwards as it goes) or
 * over a whole buffer. Used by every hash table here: the domain table,
 * the DNS cache, the in-memory zone and the domain state.
 */
#ifndef AG_HASH_H
#define AG_HASH_H

#include <stddef.h>
#include <stdint.h>

#define AG_HASH_INIT 14695981039346656037ULL

/* ag_hash_step - the hash so far, with one more octet */
static inline uint64_t ag_hash_step(uint64_t hash, unsigned char octet)
{
	return (hash ^ octet) * 1099511628211ULL;
}

/* ag_hash_bytes - the hash of len octets */
static inline uint64_t ag_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t hash = AG_HASH_INIT;

	for (size_t i = 0; i < len; i++)
		hash = ag_hash_step(hash, p[i]);
	return hash;
}

#endif
