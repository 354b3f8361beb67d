#!/usr/bin/env python3
"""Checks deploy/ (Dockerfile, compose, Kubernetes, systemd, Grafana) as far as this
machine can: no Docker, no Kubernetes. Run by tests/integration/test_deploy_manifests.cpp.

  check_manifests.py --section NAME --deploy DIR --contract CONTRACT.md [--worker-bin BIN]

Prints one line per problem ("FAIL: ...") or skipped part ("SKIP: ..."); exits 1 when
any check failed, 0 otherwise.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

import check_manifests_model as model

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL: {msg}")


def skip(msg):
    print(f"SKIP: {msg}")


def need(cond, msg):
    if not cond:
        fail(msg)
    return cond


# ---- yaml: every file parses, Kubernetes objects have what an operator needs ----------

def check_yaml(d, worker_bin):
    for path in sorted(model.yaml_files(d.root)):
        try:
            docs = [x for x in yaml.safe_load_all(open(path)) if x is not None]
        except yaml.YAMLError as e:
            fail(f"{path}: does not parse: {e}")
            continue
        need(docs, f"{path}: empty")
    base = d.kustomize(d.k8s)
    check_kustomization(d)
    check_k8s(base, "base", want_trigger="redis")
    cluster = d.kustomize(os.path.join(d.k8s, "overlays", "redis-cluster"))
    check_k8s(cluster, "redis-cluster overlay", want_trigger="redis-cluster")
    check_hash_tag(cluster)
    check_compose(d, worker_bin)


def check_kustomization(d):
    k = yaml.safe_load(open(os.path.join(d.k8s, "kustomization.yaml")))
    listed = set(k.get("resources", []))
    for name in os.listdir(d.k8s):
        if name.endswith(".yaml") and name != "kustomization.yaml" and "example" not in name:
            need(name in listed, f"kubernetes/{name} is not in kustomization.yaml resources")
    need("secret.example.yaml" not in listed,
         "the placeholder Secret must not be applied by kustomization.yaml")
    secret = yaml.safe_load(open(os.path.join(d.k8s, "secret.example.yaml")))
    data = secret.get("stringData", {})
    need("REDIS_URL" in data, "secret.example.yaml: no REDIS_URL")
    need(all("CHANGE_ME" in v for k_, v in data.items() if "password" in k_ or k_ == "REDIS_URL"),
         "secret.example.yaml: secrets must be placeholders (CHANGE_ME)")


def check_k8s(objs, where, want_trigger):
    by_kind = {}
    for o in objs:
        by_kind.setdefault(o["kind"], []).append(o)
    for kind in ["Deployment", "ConfigMap", "Service", "PodDisruptionBudget", "ScaledObject",
                 "TriggerAuthentication"]:
        if not need(len(by_kind.get(kind, [])) == 1, f"{where}: want exactly one {kind}"):
            return
    dep, cm, svc, pdb, so, ta = (by_kind[k][0] for k in [
        "Deployment", "ConfigMap", "Service", "PodDisruptionBudget", "ScaledObject",
        "TriggerAuthentication"])
    cfg = cm.get("data", {})
    grace = int(cfg.get("CALLLOG_SHUTDOWN_GRACE", "30"))
    pod = dep["spec"]["template"]
    labels = pod["metadata"].get("labels", {})
    spec = pod["spec"]
    need(model.subset(dep["spec"]["selector"]["matchLabels"], labels),
         f"{where}: Deployment selector does not match its pod labels")
    need(spec.get("terminationGracePeriodSeconds", 30) > grace,
         f"{where}: terminationGracePeriodSeconds must exceed CALLLOG_SHUTDOWN_GRACE ({grace})")
    c = spec["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    listen = cfg.get("CALLLOG_HTTP_LISTEN", "127.0.0.1:9102")
    need(not listen.startswith("127."), f"{where}: CALLLOG_HTTP_LISTEN must not be loopback in a pod")
    port = int(listen.rsplit(":", 1)[1])
    need(port in ports.values(), f"{where}: containerPort does not match CALLLOG_HTTP_LISTEN")
    for probe, path in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")]:
        get = c.get(probe, {}).get("httpGet", {})
        need(get.get("path") == path, f"{where}: {probe} must GET {path}")
        need(ports.get(get.get("port"), get.get("port")) == port, f"{where}: {probe} port")
    res = c.get("resources", {})
    for part in ["requests", "limits"]:
        need({"cpu", "memory"} <= set(res.get(part, {})), f"{where}: resources.{part} cpu+memory")
    env = {e["name"]: e for e in c.get("env", [])}
    need("secretKeyRef" in env.get("REDIS_URL", {}).get("valueFrom", {}),
         f"{where}: REDIS_URL must come from a Secret")
    refs = [x["configMapRef"]["name"] for x in c.get("envFrom", []) if "configMapRef" in x]
    need(cm["metadata"]["name"] in refs, f"{where}: config must come from the ConfigMap via envFrom")
    psc, csc = spec.get("securityContext", {}), c.get("securityContext", {})
    need(psc.get("runAsNonRoot") or csc.get("runAsNonRoot"), f"{where}: runAsNonRoot")
    need(csc.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem")
    need(csc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation false")
    db_dir = os.path.dirname(cfg.get("CALLLOG_SANDBOX_DB", ""))
    mounts = [m["mountPath"] for m in c.get("volumeMounts", [])]
    need(db_dir in mounts, f"{where}: the sandbox db directory {db_dir!r} must be a writable volume")
    ann = pod["metadata"].get("annotations", {})
    need(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == str(port),
         f"{where}: prometheus.io scrape annotations on the pod")
    need(model.subset(svc["spec"]["selector"], labels), f"{where}: Service selector")
    need(any(p.get("targetPort") in (port, "metrics") for p in svc["spec"]["ports"]),
         f"{where}: Service must target the metrics port")
    need(model.subset(pdb["spec"]["selector"]["matchLabels"], labels), f"{where}: PDB selector")
    check_scaled_object(so, ta, dep, cfg, where, want_trigger)


def check_scaled_object(so, ta, dep, cfg, where, want_trigger):
    need(so["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"],
         f"{where}: ScaledObject must target the Deployment")
    need(so["spec"].get("minReplicaCount", 0) >= 1,
         f"{where}: minReplicaCount >= 1 (retries and dead workers need a live worker)")
    need(so["spec"].get("maxReplicaCount", 0) > so["spec"].get("minReplicaCount", 0),
         f"{where}: maxReplicaCount")
    triggers = so["spec"].get("triggers", [])
    if not need(len(triggers) == 1 and triggers[0]["type"] == want_trigger,
                f"{where}: want one `{want_trigger}` trigger, got {[t['type'] for t in triggers]}"):
        return
    meta = triggers[0]["metadata"]
    queue = cfg.get("CALLLOG_QUEUE", "calllog:events")
    need(meta.get("listName") == queue, f"{where}: listName {meta.get('listName')!r} != {queue!r}")
    need(str(meta.get("listLength", "")).isdigit() and int(meta["listLength"]) > 0,
         f"{where}: listLength must be a positive integer string")
    need(triggers[0].get("authenticationRef", {}).get("name") == ta["metadata"]["name"],
         f"{where}: authenticationRef must name the TriggerAuthentication")
    params = {r["parameter"] for r in ta["spec"].get("secretTargetRef", [])}
    want = {"redis": "address", "redis-cluster": "addresses"}[want_trigger]
    need(want in params and "password" in params, f"{where}: TriggerAuthentication needs {want}+password")


def check_hash_tag(objs):
    cfg = next(o for o in objs if o["kind"] == "ConfigMap")["data"]
    tags = {model.hash_tag(cfg.get(k, "")) for k in
            ["CALLLOG_PREFIX", "CALLLOG_QUEUE", "CALLLOG_REPLY_QUEUE", "CALLLOG_DEAD_QUEUE"]}
    need(len(tags) == 1 and None not in tags and "" not in tags,
         f"redis-cluster overlay: prefix and queues must share one hash tag, got {tags}")


def check_compose(d, worker_bin):
    c = yaml.safe_load(open(d.compose))
    svcs = c.get("services", {})
    need({"redis", "worker"} <= set(svcs), "compose: services redis and worker")
    worker = svcs.get("worker", {})
    env = worker.get("environment", {})
    need(str(env.get("CALLLOG_HTTP_LISTEN", "")).startswith("0.0.0.0:"), "compose: listen 0.0.0.0")
    need("REDIS_URL" in env, "compose: worker REDIS_URL")
    grace = int(env.get("CALLLOG_SHUTDOWN_GRACE", 30))
    need(model.seconds(worker.get("stop_grace_period", "10s")) > grace,
         "compose: stop_grace_period must exceed CALLLOG_SHUTDOWN_GRACE")
    oneshot = [s for s in svcs.values() if (s.get("command") or [None])[0] == "enqueue"]
    if not need(len(oneshot) == 1, "compose: one one-shot `enqueue` service"):
        return
    need(oneshot[0].get("restart") == "no", "compose: the enqueuer must not restart")
    for ref in oneshot[0].get("configs", []):
        content = c.get("configs", {}).get(ref["source"], {}).get("content", "")
        lines = [ln for ln in content.splitlines() if ln.strip()]
        need(lines, f"compose: config {ref['source']} is empty")
        for ln in lines:
            ev = json.loads(ln)
            need(ev.get("platform") == "sandbox" and ev.get("callLog", {}).get("sessionId"),
                 f"compose: sample {ev.get('id')} must be a sandbox event with a sessionId")
        check_samples_compose(content, worker_bin)


def check_samples_compose(content, worker_bin):
    """The worker's own `compose` (no network) must accept every sample event."""
    if not worker_bin or not os.access(worker_bin, os.X_OK):
        skip("no worker binary: compose samples not run through `calllog-worker compose`")
        return
    r = subprocess.run([worker_bin, "compose", "-"], input=content, capture_output=True,
                       text=True, timeout=30)
    out = [json.loads(ln) for ln in r.stdout.splitlines() if ln.strip().startswith("{")]
    bad = [o for o in out if "error" in o or not o.get("body")]
    need(r.returncode == 0 and len(out) == len(content.strip().splitlines()) and not bad,
         f"compose: `calllog-worker compose` rejects the samples: rc={r.returncode} {bad} {r.stderr[:300]}")


# ---- contract and help: every flag and env var named in deploy/ exists ---------------

def check_contract(d, contract):
    flags, envs = model.contract_names(contract)
    need(len(flags) > 15 and "REDIS_URL" in envs, "CONTRACT §6: flag table not found")
    commands, names = d.worker_commands(), d.env_names()
    for where, sub, argv in commands:
        need(sub in model.SUBCOMMANDS, f"{where}: unknown sub-command {sub!r}")
        for f in model.flags_of(argv):
            need(f in flags, f"{where}: flag {f} ({sub}) is not in CONTRACT §6")
    for where, name in names:
        need(name in envs, f"{where}: env {name} is not in CONTRACT §6")
    print(f"contract: {len(commands)} worker command lines, "
          f"{sum(len(model.flags_of(a)) for _, _, a in commands)} flags, {len(names)} env settings")


def check_help(d, worker_bin):
    if not worker_bin or not os.access(worker_bin, os.X_OK):
        skip(f"worker binary {worker_bin!r} not built")
        return
    helps = {}
    for where, sub, argv in d.worker_commands():
        if sub not in helps:
            r = subprocess.run([worker_bin, sub, "--help"], capture_output=True, text=True, timeout=30)
            helps[sub] = r.stdout + r.stderr
        text = helps[sub]
        if not re.search(r"--[a-z]", text):
            skip(f"`calllog-worker {sub} --help` lists no flags yet; flags of {where} not checked")
            continue
        for f in model.flags_of(argv):
            need(re.search(re.escape(f) + r"\b", text), f"{where}: {f} not in `{sub} --help`")
    run_help = helps.get("run", "")
    if "CALLLOG_" in run_help:
        for where, name in d.env_names():
            need(name in run_help, f"{where}: env {name} not in `run --help`")
    elif run_help:
        skip("`run --help` names no environment variables; env names not checked against it")


# ---- systemd ---------------------------------------------------------------------------

def check_systemd(d, worker_bin):
    unit = model.parse_unit(open(d.unit).read())
    svc = unit.get("Service", {})
    env = model.parse_env_file(open(d.env_file).read(), include_comments=False)
    grace = int(env.get("CALLLOG_SHUTDOWN_GRACE", "30"))
    want = {"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
            "PrivateTmp": "yes", "ProtectHome": "yes", "KillSignal": "SIGTERM",
            "Restart": "on-failure", "CapabilityBoundingSet": ""}
    for k, v in want.items():
        need(svc.get(k, [None])[-1] == v, f"unit: {k}={v} (got {svc.get(k)})")
    need("@system-service" in svc.get("SystemCallFilter", []), "unit: SystemCallFilter=@system-service")
    need(svc.get("RestrictAddressFamilies"), "unit: RestrictAddressFamilies")
    need(svc.get("EnvironmentFile"), "unit: EnvironmentFile")
    state = (svc.get("StateDirectory") or [""])[-1]
    need(state, "unit: StateDirectory")
    db = next((e.split("=", 1)[1] for e in svc.get("Environment", [])
               if e.startswith("CALLLOG_SANDBOX_DB=")), env.get("CALLLOG_SANDBOX_DB", ""))
    need(db.startswith(f"%S/{state}/") or db.startswith(f"/var/lib/{state}/"),
         f"unit: CALLLOG_SANDBOX_DB {db!r} must be inside StateDirectory {state!r}")
    need(model.seconds((svc.get("TimeoutStopSec") or ["90s"])[-1]) > grace,
         f"unit: TimeoutStopSec must exceed CALLLOG_SHUTDOWN_GRACE ({grace})")
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        skip("systemd-analyze not installed: unit not verified")
        return
    exe = worker_bin if worker_bin and os.access(worker_bin, os.X_OK) else "/bin/true"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, os.path.basename(d.unit))
        text = re.sub(r"^ExecStart=\S+", f"ExecStart={exe}", open(d.unit).read(), flags=re.M)
        open(path, "w").write(text)
        r = subprocess.run([analyze, "verify", path], capture_output=True, text=True, timeout=60)
        noise = [ln for ln in (r.stdout + r.stderr).splitlines() if os.path.basename(path) in ln]
        need(r.returncode == 0 and not noise, f"systemd-analyze verify: rc={r.returncode} {noise}")
        # --threshold counts in tenths of the displayed 0-10 exposure: 25 means 2.5.
        r = subprocess.run([analyze, "security", "--offline=yes", "--threshold=25", path],
                           capture_output=True, text=True, timeout=60)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout + r.stderr)
        if m:
            print(f"systemd-analyze security: exposure {m.group(1)} (threshold 2.5)")
            need(r.returncode == 0, f"systemd-analyze security: exposure {m.group(1)} > 2.5")
        else:
            skip(f"systemd-analyze security --offline unsupported here: {r.stderr.strip()[:200]}")


# ---- Dockerfile -------------------------------------------------------------------------

BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}  # present in debian:12-slim
# Installed ahead of the code that links them; reported, not failed, while unlinked.
PLANNED_PACKAGES: dict = {}  # runtime packages the image carries ahead of the code linking them
SANITIZER_PACKAGES = re.compile(r"^(libasan|libubsan|liblsan|libtsan)\d+$")


def check_dockerfile(d, worker_bin):
    stages = model.parse_dockerfile(open(d.dockerfile).read())
    if not need(len(stages) >= 2, "Dockerfile: multi-stage (build + runtime)"):
        return
    build, run = stages[0], stages[-1]
    need(re.fullmatch(r"debian:12(\.\d+)?", build.image), f"Dockerfile: build FROM debian:12 ({build.image})")
    need(run.image == "debian:12-slim", f"Dockerfile: runtime FROM debian:12-slim ({run.image})")
    need(any("setup-debian.sh" in a for _, a in build.instr("RUN")),
         "Dockerfile: build stage installs with deploy/setup-debian.sh")
    need(any(f"--from={build.name}" in a for _, a in run.instr("COPY")), "Dockerfile: COPY --from build")
    users = [a for _, a in run.instr("USER")]
    need(users and users[-1].split(":")[0] not in ("root", "0"), "Dockerfile: non-root USER")
    need(any("/healthz" in a for _, a in run.instr("HEALTHCHECK")), "Dockerfile: HEALTHCHECK on /healthz")
    need([a for _, a in run.instr("STOPSIGNAL")] == ["SIGTERM"], "Dockerfile: STOPSIGNAL SIGTERM")
    need("9102" in " ".join(a for _, a in run.instr("EXPOSE")), "Dockerfile: EXPOSE 9102")
    env = run.env()
    need(env.get("CALLLOG_HTTP_LISTEN") == "0.0.0.0:9102", "Dockerfile: ENV CALLLOG_HTTP_LISTEN=0.0.0.0:9102")
    pkgs = run.apt_packages()
    dev = [p for p in pkgs if p.endswith("-dev") or p in ("g++", "gcc", "cmake", "make")]
    need(not dev, f"Dockerfile: build tools in the runtime image: {dev}")
    check_runtime_libs(pkgs, worker_bin)


def check_runtime_libs(pkgs, worker_bin):
    if not worker_bin or not os.access(worker_bin, os.X_OK) or not shutil.which("ldd"):
        skip("no worker binary or ldd: runtime packages not compared with ldd")
        return
    needed, unknown = model.ldd_packages(worker_bin)
    need(not unknown, f"ldd: libraries of no Debian package: {unknown}")
    needed -= BASE_PACKAGES
    sanitizers = {p for p in needed if SANITIZER_PACKAGES.match(p)}
    if sanitizers:
        skip(f"sanitizer build links {sorted(sanitizers)}: not part of the image")
        needed -= sanitizers
    print(f"runtime packages from ldd: {sorted(needed)}")
    need(needed <= set(pkgs), f"Dockerfile: runtime image lacks {sorted(needed - set(pkgs))}")
    libs = {p for p in pkgs if p.startswith("lib")}
    if needed:
        for p in sorted((libs - needed) & set(PLANNED_PACKAGES)):
            skip(f"{p} installed but not linked yet ({PLANNED_PACKAGES[p]})")
        extra = libs - needed - set(PLANNED_PACKAGES)
        need(not extra, f"Dockerfile: runtime libraries the binary does not link: {sorted(extra)}")
    else:
        skip("the worker binary links no library yet (placeholder): unused runtime packages not checked")


# ---- Grafana ------------------------------------------------------------------------

def check_grafana(d):
    dash = json.load(open(d.dashboard))
    need(dash.get("uid") and dash.get("title"), "grafana: uid and title")
    panels = list(model.walk_panels(dash.get("panels", [])))
    ids = [p.get("id") for p in panels]
    need(len(ids) == len(set(ids)), "grafana: panel ids must be unique")
    exprs = [t["expr"] for p in panels for t in p.get("targets", []) if t.get("expr")]
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("query")
        exprs.append(q.get("query", "") if isinstance(q, dict) else str(q or ""))
    used = set()
    for e in exprs:
        for problem in model.promql_problems(e, model.METRICS, used):
            fail(f"grafana: {problem} in {e!r}")
    need(used == set(model.METRICS), f"grafana: metrics with no panel: {sorted(set(model.METRICS) - used)}")


# ---- against a running worker: the image's HEALTHCHECK and the pod's probes ------------

def check_healthcheck(d, port):
    stage = model.parse_dockerfile(open(d.dockerfile).read())[-1]
    hc = stage.instr("HEALTHCHECK")[-1][1]
    argv = json.loads(hc[hc.index("CMD") + 3:].strip())
    argv = [a.replace("/9102", f"/{port}") for a in argv]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    need(r.returncode == 0, f"HEALTHCHECK command failed on port {port}: {r.stderr.strip()}")
    import http.client
    import time
    dep = next(o for o in d.kustomize(d.k8s) if o["kind"] == "Deployment")
    c = dep["spec"]["template"]["spec"]["containers"][0]
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"]:
        path = c[probe]["httpGet"]["path"]
        status, deadline = None, time.time() + 10
        while status != 200 and time.time() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
            try:
                conn.request("GET", path)
                status = conn.getresponse().status
            except OSError:
                pass
            finally:
                conn.close()
            if status != 200:
                time.sleep(0.2)
        need(status == 200, f"{probe} GET {path}: status {status}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--section", required=True,
                    choices=["yaml", "contract", "help", "systemd", "dockerfile", "grafana",
                             "healthcheck"])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--deploy", required=True)
    ap.add_argument("--contract", required=True)
    ap.add_argument("--worker-bin", default="")
    a = ap.parse_args()
    a.worker_bin = os.path.abspath(a.worker_bin) if a.worker_bin else ""
    d = model.Deploy(a.deploy)
    contract = open(a.contract).read()
    {"yaml": lambda: check_yaml(d, a.worker_bin),
     "contract": lambda: check_contract(d, contract),
     "help": lambda: check_help(d, a.worker_bin),
     "systemd": lambda: check_systemd(d, a.worker_bin),
     "dockerfile": lambda: check_dockerfile(d, a.worker_bin),
     "grafana": lambda: check_grafana(d),
     "healthcheck": lambda: check_healthcheck(d, a.port)}[a.section]()
    print(f"{a.section}: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
