#!/usr/bin/env python3
"""pycasbin peer for `cameo bench consent`: the same grants as a casbin model, the same
requests, timed per enforce. Prints {"p50_us":…, "decisions":[…]} as JSON.
Model: p = (requester | "*" | "mutuals", owner, use); g(requester, "mutual", owner) for mutual follows."""
import json, sys, time, casbin

MODEL = """
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.obj == p.obj && r.act == p.act && (p.sub == "*" || r.sub == p.sub || r.sub == r.obj || (p.sub == "mutuals" && g(r.sub, "mutual", r.obj)))
"""

def main(d):
    with open(d + "/model.conf", "w") as f:
        f.write(MODEL)
    e = casbin.Enforcer(d + "/model.conf", d + "/policy.csv")
    reqs = [l.split(",") for l in open(d + "/requests.csv").read().split("\n") if l]
    times, decisions = [], []
    for sub, obj, act in reqs:
        t0 = time.perf_counter_ns()
        ok = e.enforce(sub, obj, act)
        times.append((time.perf_counter_ns() - t0) / 1000)
        decisions.append(bool(ok))
    times.sort()
    print(json.dumps({"p50_us": times[len(times) // 2], "decisions": decisions}))

if __name__ == "__main__":
    main(sys.argv[1])
