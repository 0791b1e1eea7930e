#ifndef C_FUZZER_ENTRY_H
#define C_FUZZER_ENTRY_H

/// Runs libFuzzer's driver on LLVMFuzzerTestOneInput (which each target defines).
/// SwiftPM links an executable with `main` renamed to `<Target>_main`; each target
/// defines that symbol and calls this, so libFuzzer starts as if its own main ran.
int fuzzer_entry_main(int argc, char **argv);

#endif
