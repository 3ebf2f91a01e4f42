/*
 * dir.c — the migration directory (see migrate.h and docs/migrations.md):
 * listing `migrations/<yyyymmddHHMMSS>_<name>/` folders in version order,
 * reading their files, and the SHA-256 used as a migration's checksum.
 *
 * The SHA-256 is the FIPS 180-4 algorithm written out plainly; corm has
 * no crypto library to lean on and needs nothing more than this.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corm_util.h"
#include "corm/driver.h"
#include "migrate.h"

/* ---------------------------------------------------------------- sha256 */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			(uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
			(w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
			((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
			((a & b) ^ (a & c) ^ (b & c));
		k = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

void corm_mig_sha256_hex(char out[65], const void *data, size_t len)
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *p = data;
	unsigned char tail[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t rest, i, n;

	for (n = len; n >= 64; n -= 64, p += 64)
		sha_block(h, p);
	rest = n;
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, p, rest);
	tail[rest] = 0x80;
	n = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, tail);
	if (n == 128)
		sha_block(h, tail + 64);
	for (i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", (unsigned)h[i]);
}

/* ------------------------------------------------------------- directory */

void corm_mig_dir_free(corm_mig_dir *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->count; i++) {
		corm_free(d->items[i].version);
		corm_free(d->items[i].name);
		corm_free(d->items[i].dir);
	}
	corm_free(d->items);
	d->items = NULL;
	d->count = 0;
}

/* By version, then by folder, so that a message naming two folders of
 * one version names them in the same order on every system. */
static int cmp_entry(const void *a, const void *b)
{
	const corm_mig_entry *x = a, *y = b;
	int c = strcmp(x->version, y->version);

	return c ? c : strcmp(x->dir, y->dir);
}

/* <14 digits>_<name>, name of [a-z0-9_-] characters. */
static bool valid_name(const char *s)
{
	size_t i;

	for (i = 0; i < 14; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	if (s[14] != '_' || !s[15])
		return false;
	for (i = 15; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
				s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

int corm_mig_dir_read(corm_mig_dir *out, corm_buf *err, const char *path)
{
	DIR *dh = opendir(path);
	struct dirent *ent;
	size_t cap = 0, i;
	int error = CORM_OK;

	out->items = NULL;
	out->count = 0;
	if (!dh)
		return errno == ENOENT ? CORM_OK : (corm_buf_printf(err,
			"cannot read the migration directory '%s': %s", path,
			strerror(errno)), CORM_EINVAL);
	while ((ent = readdir(dh)) != NULL && !error) {
		corm_buf full = CORM_BUF_INIT;
		struct stat st;
		corm_mig_entry *e;

		if (ent->d_name[0] == '.')
			continue;
		corm_buf_printf(&full, "%s/%s", path, ent->d_name);
		if ((error = corm_buf_error(&full)))
			break;
		if (stat(full.ptr, &st) != 0 || !S_ISDIR(st.st_mode)) {
			corm_buf_free(&full);
			continue;
		}
		if (!valid_name(ent->d_name)) {
			corm_buf_printf(err, "'%s' is not named like a migration "
				"folder: <yyyymmddHHMMSS>_<name>, 14 digits then '_' and "
				"lowercase letters, digits, '_' or '-' (move other folders "
				"out of '%s')", full.ptr, path);
			corm_buf_free(&full);
			error = CORM_EINVAL;
			break;
		}
		e = corm__grow(out->items, &cap, out->count + 1, sizeof(*e));
		if (!e) {
			corm_buf_free(&full);
			error = CORM_ENOMEM;
			break;
		}
		out->items = e;
		e = &out->items[out->count];
		e->version = corm_strndup(ent->d_name, 14);
		e->name = corm_strdup(ent->d_name + 15);
		e->dir = corm_buf_detach(&full);
		out->count++;
		if (!e->version || !e->name || !e->dir)
			error = CORM_ENOMEM;
		corm_buf_free(&full);
	}
	closedir(dh);
	if (!error && out->count)
		qsort(out->items, out->count, sizeof(*out->items), cmp_entry);
	for (i = 1; i < out->count && !error; i++)
		if (strcmp(out->items[i - 1].version, out->items[i].version) == 0) {
			corm_buf_printf(err, "two migrations have version %s: '%s' "
				"and '%s' (each needs a version of its own)",
				out->items[i].version, out->items[i - 1].dir,
				out->items[i].dir);
			error = CORM_EINVAL;
		}
	if (error)
		corm_mig_dir_free(out);
	return error;
}

int corm_mig_read(char **out, size_t *len, const corm_mig_entry *e,
	const char *file)
{
	corm_buf path = CORM_BUF_INIT, data = CORM_BUF_INIT;
	char chunk[8192];
	FILE *f;
	size_t n;
	int error;

	*out = NULL;
	*len = 0;
	corm_buf_printf(&path, "%s/%s", e->dir, file);
	if ((error = corm_buf_error(&path)))
		return error;
	f = fopen(path.ptr, "rb");
	corm_buf_free(&path);
	if (!f)
		return errno == ENOENT ? CORM_ENOTFOUND : CORM_EINVAL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		corm_buf_put(&data, chunk, n);
	error = ferror(f) ? CORM_EINVAL : corm_buf_error(&data);
	fclose(f);
	if (!error) {
		*len = data.len;
		corm_buf_putc(&data, '\0'); /* "" for an empty file */
		data.len--;
		*out = corm_buf_detach(&data);
		if (!*out)
			error = CORM_ENOMEM;
	}
	corm_buf_free(&data);
	return error;
}

size_t corm_mig_nul_line(const char *sql, size_t len)
{
	const char *nul = memchr(sql, '\0', len), *p;
	size_t line = 1;

	if (!nul)
		return 0;
	for (p = sql; p < nul; p++)
		line += *p == '\n';
	return line;
}
