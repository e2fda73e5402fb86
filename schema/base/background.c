/*
 * background: one function on a thread of its own. See background.h.
 */
#include "background.h"

void background_start(struct background *bg, void *(*fn)(void *arg), void *arg)
{
	bg->fn = fn;
	bg->arg = arg;
	bg->started = !pthread_create(&bg->thread, NULL, fn, arg);
}

void background_wait(struct background *bg)
{
	if (bg->started)
		pthread_join(bg->thread, NULL);
	else
		bg->fn(bg->arg);
}
