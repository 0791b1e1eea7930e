-- POST login/ with the benchmark user's credentials (BENCH_USER, BENCH_PASSWORD).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"username": "%s", "password": "%s"}', os.getenv("BENCH_USER"), os.getenv("BENCH_PASSWORD"))
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
