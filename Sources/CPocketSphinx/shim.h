#ifndef CPOCKETSPHINX_SHIM_H
#define CPOCKETSPHINX_SHIM_H
/* PocketSphinx 0.8+5prealpha (Debian 12). cmd_ln_init() is variadic and cannot be called
   from Swift, so the decoder configuration is parsed from a C argv array instead. */
#include <stdio.h>
#include <pocketsphinx.h>
#include <err.h>

/// Parses `argv` ("-flag", "value", ...) against the decoder's argument definitions.
/// Returns NULL on an unknown flag or a bad value. The caller owns the result (cmd_ln_free_r).
static inline cmd_ln_t *cg_ps_config(int argc, char **argv) {
    return cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
}

/// Creates a decoder from `config` and releases the caller's reference to it
/// (ps_init retains its own). Returns NULL on failure (missing/corrupt model files).
static inline ps_decoder_t *cg_ps_init(cmd_ln_t *config) {
    ps_decoder_t *ps = ps_init(config);
    cmd_ln_free_r(config);
    return ps;
}

/// Silences sphinxbase's process-wide logger (it writes to stderr by default).
static inline void cg_ps_silence_logging(void) {
    err_set_logfp(NULL);
}
#endif
