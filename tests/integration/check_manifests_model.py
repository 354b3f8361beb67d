"""Readers for check_manifests.py: CONTRACT §6, Dockerfile, systemd unit, env file, a small
kustomize renderer, PromQL names and labels, ldd -> Debian packages."""
import copy
import json
import os
import re
import shlex
import subprocess

import yaml

# The worker's /metrics families (issue 9): name -> (type, labels).
METRICS = {
    "calllog_events_taken_total": ("counter", set()),
    "calllog_replies_total": ("counter", {"status"}),
    "calllog_attempts_total": ("counter", set()),
    "calllog_retries_scheduled_total": ("counter", set()),
    "calllog_dead_letters_total": ("counter", {"code"}),
    "calllog_in_flight": ("gauge", set()),
    "calllog_crm_requests_total": ("counter", {"platform", "status"}),
    "calllog_crm_request_duration_seconds": ("histogram", {"platform"}),
    "calllog_event_duration_seconds": ("histogram", set()),
    "calllog_ratelimit_waits_total": ("counter", {"platform"}),
    "calllog_ratelimit_429_total": ("counter", {"platform"}),
    "calllog_redis_reconnects_total": ("counter", set()),
    "calllog_build_info": ("gauge", {"version"}),
}
# Labels Prometheus adds at scrape time (target labels, Kubernetes service discovery).
TARGET_LABELS = {"instance", "job", "pod", "namespace"}
SUBCOMMANDS = {"run", "replay", "enqueue", "stats", "compose"}
WORKER_IMAGE = "calllog-worker"
ENV_TOKEN = re.compile(r"\b(CALLLOG_[A-Z0-9_]+|REDIS_URL|REDTAIL_[A-Z0-9_]+|INSIGHTLY_[A-Z0-9_]+)\b")


def subset(small, big):
    return bool(small) and all(big.get(k) == v for k, v in small.items())


def hash_tag(key):
    """Redis Cluster hash tag: the text between the first { and the next }, if non-empty."""
    m = re.search(r"\{([^}]*)\}", key)
    return m.group(1) if m and m.group(1) else None


def seconds(v):
    if isinstance(v, (int, float)):
        return v
    unit = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "": 1}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h)?", str(v))
    return sum(float(n) * unit[u] for n, u in parts)


def contract_names(contract):
    """Flags and environment variables of CONTRACT §6 (its tables and the replay flags)."""
    sec = contract.split("## 6.", 1)[1].split("\n## 7.", 1)[0]
    flags, envs = {"--help", "--version"}, set()
    for line in sec.splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `--") and len(cols) >= 2:
            envs.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", cols[1]))
    flags.update(re.findall(r"`(--[a-z][a-z0-9-]*)", sec))
    return flags, envs


def flags_of(argv):
    return [a.split("=", 1)[0] for a in argv if a.startswith("--")]


def sub_of(argv):
    return argv[0] if argv and not argv[0].startswith("-") else "run"


def parse_unit(text):
    sections, cur = {}, None
    for line in text.splitlines():
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        if s.startswith("["):
            cur = sections.setdefault(s.strip("[]"), {})
            continue
        k, _, v = s.partition("=")
        cur.setdefault(k.strip(), []).append(v.strip())
    return sections


def parse_env_file(text, include_comments):
    env = {}
    for line in text.splitlines():
        s = line.strip()
        if include_comments and s.startswith("#"):
            s = s.lstrip("# ")
        m = re.match(r"^([A-Z][A-Z0-9_]*)=(\S*)", s)
        if m and (include_comments or not line.lstrip().startswith("#")):
            env[m.group(1)] = m.group(2)
    return env


class Stage:
    def __init__(self, image, name):
        self.image, self.name, self.items = image, name, []

    def instr(self, word):
        return [(w, a) for w, a in self.items if w == word]

    def env(self):
        env = {}
        for _, a in self.instr("ENV"):
            toks = shlex.split(a)
            if toks and "=" not in toks[0]:
                env[toks[0]] = " ".join(toks[1:])
            else:
                env.update(t.split("=", 1) for t in toks)
        return env

    def apt_packages(self):
        pkgs = []
        for _, a in self.instr("RUN"):
            for seg in re.split(r"&&|;|\|\|", a):
                toks = shlex.split(seg)
                if "apt-get" in toks and "install" in toks:
                    pkgs += [t for t in toks[toks.index("install") + 1:] if not t.startswith("-")]
        return pkgs

    def exec_form(self, word):
        found = self.instr(word)
        if not found:
            return []
        a = found[-1][1]
        return json.loads(a) if a.startswith("[") else shlex.split(a)


def parse_dockerfile(text):
    stages, buf = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        buf += line.rstrip()
        if buf.endswith("\\"):
            buf = buf[:-1] + " "
            continue
        if buf.strip():
            word, _, args = buf.strip().partition(" ")
            word, args = word.upper(), args.strip()
            if word == "FROM":
                toks = [t for t in args.split() if not t.startswith("--")]
                name = toks[2] if len(toks) >= 3 and toks[1].lower() == "as" else str(len(stages))
                stages.append(Stage(toks[0], name))
            elif stages:
                stages[-1].items.append((word, args))
        buf = ""
    return stages


def ldd_packages(binary):
    """Debian packages that own the shared libraries of `binary`, and libraries of none."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30).stdout
    pkgs, unknown = set(), []
    for line in out.splitlines():
        m = re.search(r"(/\S+)\s+\(0x", line)
        if not m:
            continue
        path = m.group(1)
        cands = {path, os.path.realpath(path)}
        cands |= {("/usr" + p) if not p.startswith("/usr/") else p[4:] for p in list(cands)}
        owner = None
        for c in sorted(cands):
            r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True, timeout=30)
            if r.returncode == 0:
                owner = r.stdout.split(":", 1)[0].split(",")[0].strip()
                break
        if owner:
            pkgs.add(owner)
        else:
            unknown.append(path)
    return pkgs, unknown


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def promql_problems(expr, metrics, used):
    problems, labels, bucket = [], set(TARGET_LABELS), False
    for name in re.findall(r"\bcalllog_[a-z0-9_]+", expr):
        base = name
        if name not in metrics:
            for suffix in ("_bucket", "_sum", "_count"):
                stem = name[: -len(suffix)]
                if name.endswith(suffix) and metrics.get(stem, ("",))[0] == "histogram":
                    base, bucket = stem, bucket or suffix == "_bucket"
        if base not in metrics:
            problems.append(f"unknown metric {name}")
            continue
        used.add(base)
        labels |= metrics[base][1]
    if bucket:
        labels.add("le")
    named = []
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        named += [x.strip() for x in group.split(",") if x.strip()]
    for group in re.findall(r"\{([^}]*)\}", expr):
        named += re.findall(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)", group)
    named += re.findall(r"label_values\(\s*\w+\s*,\s*(\w+)\s*\)", expr)
    problems += [f"label {x!r} not on the metrics queried" for x in named if x not in labels]
    return problems


def json_pointer_set(doc, pointer, value, op):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
    node = doc
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    if isinstance(node, list):
        idx = len(node) if last == "-" else int(last)
        if op == "add":
            node.insert(idx, value)
        elif op == "remove":
            del node[idx]
        else:
            node[idx] = value
    elif op == "remove":
        del node[last]
    else:
        if op == "replace" and last not in node:
            raise KeyError(f"replace of missing {pointer}")
        node[last] = value


def deep_merge(base, patch):
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            deep_merge(base[k], v)
        else:
            base[k] = copy.deepcopy(v)


class Deploy:
    """Paths under deploy/ and the names the worker is started with in each."""

    def __init__(self, root):
        self.root = root
        self.k8s = os.path.join(root, "kubernetes")
        self.compose = os.path.join(root, "compose.yaml")
        self.unit = os.path.join(root, "systemd", "calllog-worker.service")
        self.env_file = os.path.join(root, "systemd", "calllog-worker.env")
        self.dockerfile = os.path.join(root, "Dockerfile")
        self.dashboard = os.path.join(root, "grafana", "calllog-worker.json")
        self.readme = os.path.join(root, "README.md")

    def kustomize(self, directory):
        """Renders a kustomization: resources (files or directories), namespace, patches
        (strategic merge of maps, JSON 6902 with a target). Enough for deploy/kubernetes."""
        k = yaml.safe_load(open(os.path.join(directory, "kustomization.yaml")))
        objs = []
        for r in k.get("resources", []):
            path = os.path.normpath(os.path.join(directory, r))
            if os.path.isdir(path):
                objs += self.kustomize(path)
            else:
                objs += [o for o in yaml.safe_load_all(open(path)) if o]
        for p in k.get("patches", []):
            patch = yaml.safe_load(open(os.path.join(directory, p["path"])))
            if isinstance(patch, list):
                t = p["target"]
                for o in objs:
                    if o["kind"] == t["kind"] and o["metadata"]["name"] == t["name"]:
                        for op in patch:
                            json_pointer_set(o, op["path"], op.get("value"), op["op"])
            else:
                for o in objs:
                    if o["kind"] == patch["kind"] and o["metadata"]["name"] == patch["metadata"]["name"]:
                        deep_merge(o, patch)
        if k.get("namespace"):
            for o in objs:
                if o["kind"] != "Namespace":
                    o["metadata"]["namespace"] = k["namespace"]
        return objs

    def rendered(self):
        return [("kubernetes", self.kustomize(self.k8s)),
                ("kubernetes/overlays/redis-cluster",
                 self.kustomize(os.path.join(self.k8s, "overlays", "redis-cluster")))]

    def worker_containers(self, objs):
        for o in objs:
            if o["kind"] in ("Deployment", "StatefulSet", "Job"):
                for c in o["spec"]["template"]["spec"]["containers"]:
                    if c["image"].split(":")[0].endswith(WORKER_IMAGE):
                        yield c

    def compose_workers(self):
        svcs = yaml.safe_load(open(self.compose)).get("services", {})
        for name, s in svcs.items():
            if str(s.get("image", "")).split(":")[0].endswith(WORKER_IMAGE) or "build" in s:
                yield name, s

    def worker_commands(self):
        """(where, sub-command, argv after the binary) for each way deploy/ starts it."""
        final = parse_dockerfile(open(self.dockerfile).read())[-1]
        argv = final.exec_form("ENTRYPOINT")[1:] + final.exec_form("CMD")
        cmds = [("Dockerfile", argv)]
        for name, s in self.compose_workers():
            c = s.get("command", ["run"])
            cmds.append((f"compose.yaml:{name}", shlex.split(c) if isinstance(c, str) else c))
        for where, objs in self.rendered():
            for c in self.worker_containers(objs):
                cmds.append((f"{where}:{c['name']}", c.get("command", [])[1:] + c.get("args", [])))
        unit = parse_unit(open(self.unit).read())
        for e in unit.get("Service", {}).get("ExecStart", []):
            cmds.append(("systemd unit", shlex.split(e.lstrip("-@+!:"))[1:]))
        if os.path.exists(self.readme):
            for line in open(self.readme):
                m = re.match(r"^\s*(?:\S*/)?calllog-worker\s+(.*)$", line)
                if m:
                    cmds.append(("README.md", shlex.split(m.group(1), comments=True)))
        return [(w, sub_of(a), a) for w, a in cmds]

    def env_names(self):
        """(where, NAME) for each environment variable deploy/ sets for the worker."""
        out = []
        final = parse_dockerfile(open(self.dockerfile).read())[-1]
        out += [("Dockerfile", k) for k in final.env()]
        for name, s in self.compose_workers():
            env = s.get("environment", {})
            keys = env.keys() if isinstance(env, dict) else [e.split("=", 1)[0] for e in env]
            out += [(f"compose.yaml:{name}", k) for k in keys]
        for where, objs in self.rendered():
            for o in objs:
                if o["kind"] == "ConfigMap":
                    out += [(f"{where}:ConfigMap", k) for k in o.get("data", {})]
            for c in self.worker_containers(objs):
                out += [(f"{where}:{c['name']}", e["name"]) for e in c.get("env", [])]
        unit = parse_unit(open(self.unit).read())
        for e in unit.get("Service", {}).get("Environment", []):
            out += [("systemd unit", t.split("=", 1)[0]) for t in shlex.split(e)]
        env = parse_env_file(open(self.env_file).read(), include_comments=True)
        out += [("systemd env file", k) for k in env]
        if os.path.exists(self.readme):
            out += [("README.md", k) for k in sorted(set(ENV_TOKEN.findall(open(self.readme).read())))]
        return out


def yaml_files(root):
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith((".yaml", ".yml")):
                yield os.path.join(dirpath, f)
