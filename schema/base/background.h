/*
 * background: one function run on a thread of its own while the caller goes
 * on, or on the caller's thread when it waits if no thread could be started.
 * The function's result travels in whatever its argument points to.
 */
#ifndef B2B_BACKGROUND_H
#define B2B_BACKGROUND_H

#include <pthread.h>

struct background {
	void *(*fn)(void *arg);
	void *arg;
	pthread_t thread;
	int started;
};

void background_start(struct background *bg, void *(*fn)(void *arg), void *arg);
/* Returns once fn(arg) has run, here if no thread was started. Once per start. */
void background_wait(struct background *bg);

#endif
