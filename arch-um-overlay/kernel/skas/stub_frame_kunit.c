// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for stub_frame_parse(): every offset and size the kernel
 * reads from the stub data pages stays inside the stub's signal stack.
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/sigcontext.h>
#include <skas.h>
#include <stub-data.h>

#define SIGSTACK	sizeof(((struct stub_data *)0)->sigstack)
#define MCTX_SIZE	sizeof(struct sigcontext_64)
#define FP_SIZE		sizeof(struct _fpstate_64)

/* A frame with legacy FP state: siginfo, mcontext and FP state in order. */
static struct stub_data *frame(struct kunit *test, unsigned int fp_offset)
{
	struct stub_data *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct sigcontext_64 *mc;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->signal = SIGSYS;
	d->si_offset = 0;
	d->mctx_offset = sizeof(siginfo_t);
	mc = (void *)&d->sigstack[d->mctx_offset];
	mc->fpstate = 0x7fff0000UL + fp_offset;
	return d;
}

static const char *parse(struct stub_data *d)
{
	struct stub_frame f;
	long value;

	return stub_frame_parse(d, &f, &value) ?: "ok";
}

/* An xstate frame of @size bytes (MAGIC2 included) at @fp_offset. */
static struct stub_data *xframe(struct kunit *test, unsigned int fp_offset,
				unsigned int size)
{
	struct stub_data *d = frame(test, fp_offset);
	struct _fpstate_64 *fp = (void *)&d->sigstack[fp_offset];
	unsigned int magic2 = fp_offset + size - FP_XSTATE_MAGIC2_SIZE;

	fp->sw_reserved.magic1 = FP_XSTATE_MAGIC1;
	fp->sw_reserved.extended_size = size;
	if (magic2 <= SIGSTACK - FP_XSTATE_MAGIC2_SIZE)
		*(u32 *)&d->sigstack[magic2] = FP_XSTATE_MAGIC2;
	return d;
}

static void stub_frame_offsets(struct kunit *test)
{
	struct stub_data *d = frame(test, 1024);

	KUNIT_EXPECT_STREQ(test, "ok", parse(d));
	d->si_offset = SIGSTACK - sizeof(siginfo_t);
	KUNIT_EXPECT_STREQ(test, "ok", parse(d));
	d->si_offset++;
	KUNIT_EXPECT_STREQ(test, parse(d), "si_offset");
	d->si_offset = 0xffff;
	KUNIT_EXPECT_STREQ(test, parse(d), "si_offset");

	d = frame(test, 0);
	d->mctx_offset = SIGSTACK - MCTX_SIZE;
	((struct sigcontext_64 *)&d->sigstack[d->mctx_offset])->fpstate = 0;
	KUNIT_EXPECT_STREQ(test, "ok", parse(d));
	d->mctx_offset++;
	KUNIT_EXPECT_STREQ(test, parse(d), "mctx_offset");
	d->mctx_offset = 0xffff;
	KUNIT_EXPECT_STREQ(test, parse(d), "mctx_offset");
}

static void stub_frame_legacy_fp(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, "ok", parse(frame(test, SIGSTACK - FP_SIZE)));
	KUNIT_EXPECT_STREQ(test, parse(frame(test, SIGSTACK - FP_SIZE + 1)),
			   "fpstate");
	KUNIT_EXPECT_STREQ(test, parse(frame(test, SIGSTACK - 1)), "fpstate");
}

/* The FP state ends inside the stack and is no larger than the host's */
static void stub_frame_xstate_size(struct kunit *test)
{
	unsigned int min = FP_SIZE + FP_XSTATE_MAGIC2_SIZE;
	unsigned int limit = 2048, max = limit + FP_XSTATE_MAGIC2_SIZE;
	struct stub_frame f = { .mctx_offset = sizeof(siginfo_t) };

	KUNIT_EXPECT_EQ(test, 0, stub_frame_fp(xframe(test, 512, min), &f, limit));
	KUNIT_EXPECT_EQ(test, min - 4, f.fp_size);
	KUNIT_EXPECT_EQ(test, -EINVAL, stub_frame_fp(xframe(test, 512, min - 1), &f, limit));
	KUNIT_EXPECT_EQ(test, -EINVAL, stub_frame_fp(xframe(test, 512, 0), &f, limit));
	KUNIT_EXPECT_EQ(test, 0, stub_frame_fp(xframe(test, 512, max), &f, limit));
	KUNIT_EXPECT_EQ(test, limit, f.fp_size);
	KUNIT_EXPECT_EQ(test, -ENOSPC, stub_frame_fp(xframe(test, 512, max + 4), &f, limit));
	KUNIT_EXPECT_EQ(test, -EINVAL, stub_frame_fp(xframe(test, 512, ~0U), &f, limit));

	/* The area, MAGIC2 included, ends exactly at the end of the stack */
	KUNIT_EXPECT_STREQ(test, "ok", parse(xframe(test, SIGSTACK - min, min)));
	KUNIT_EXPECT_STREQ(test, "fpstate", parse(xframe(test, SIGSTACK - min, min + 1)));
	KUNIT_EXPECT_STREQ(test, "fpstate", parse(xframe(test, 512, 0)));
}

static void stub_frame_xstate_magic2(struct kunit *test)
{
	unsigned int size = FP_SIZE + FP_XSTATE_MAGIC2_SIZE;
	struct stub_data *d = xframe(test, 512, size);

	d->sigstack[512 + size - 1] ^= 1;
	KUNIT_EXPECT_STREQ(test, parse(d), "fpstate");
}

/* A bad report leaves the frame the next resume uses as it was */
static void stub_frame_kept_on_error(struct kunit *test)
{
	struct stub_data *d = frame(test, 1024);
	struct stub_frame f, good;
	long value;

	KUNIT_ASSERT_NULL(test, stub_frame_parse(d, &f, &value));
	good = f;
	d->mctx_offset = 0xffff;
	KUNIT_EXPECT_STREQ(test, "mctx_offset", stub_frame_parse(d, &f, &value));
	KUNIT_EXPECT_MEMEQ(test, &good, &f, sizeof(f));

	d = frame(test, SIGSTACK - 1);
	KUNIT_EXPECT_STREQ(test, "fpstate", stub_frame_parse(d, &f, &value));
	KUNIT_EXPECT_MEMEQ(test, &good, &f, sizeof(f));
}

static struct kunit_case stub_frame_cases[] = {
	KUNIT_CASE(stub_frame_offsets),
	KUNIT_CASE(stub_frame_legacy_fp),
	KUNIT_CASE(stub_frame_xstate_size),
	KUNIT_CASE(stub_frame_xstate_magic2),
	KUNIT_CASE(stub_frame_kept_on_error),
	{}
};

static struct kunit_suite stub_frame_suite = {
	.name = "uml_stub_frame",
	.test_cases = stub_frame_cases,
};
kunit_test_suite(stub_frame_suite);
