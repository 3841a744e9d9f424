/*
 * replay.c - runs a fuzz target over every file of its seed corpus, so that
 * `make check` replays the corpora without libFuzzer. Arguments: corpus
 * directories or files; with none, the directory compiled in as
 * AG_FUZZ_CORPUS. Prints TAP: one line for the whole corpus.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* replay_file - feed one file to the target; -1 if unreadable */
static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *data;
	long size;

	if (fp == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return -1;
	}
	data = malloc((size_t)size + 1);
	if (data == NULL || fread(data, 1, (size_t)size, fp) != (size_t)size) {
		free(data);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	return 0;
}

/* replay_path - a file, or every regular file of a directory */
static int replay_path(const char *path, unsigned *count)
{
	struct stat st;
	struct dirent *entry;
	DIR *dir;
	int failed = 0;

	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((entry = readdir(dir)) != NULL) {
		char child[4096];
		if (entry->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
		if (stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
			(*count)++;
			if (replay_file(child) != 0)
				failed = -1;
		}
	}
	closedir(dir);
	return failed;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int failed = 0;

	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			failed = 1;
		}
#ifdef AG_FUZZ_CORPUS
	if (argc < 2 && replay_path(AG_FUZZ_CORPUS, &count) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", AG_FUZZ_CORPUS);
		failed = 1;
	}
#endif
	printf("1..1\n%s 1 - replayed %u corpus inputs\n",
	       failed || count == 0 ? "not ok" : "ok", count);
	return 0;
}
