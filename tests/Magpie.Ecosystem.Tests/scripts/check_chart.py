#!/usr/bin/env python3
"""Checks deploy/helm/magpie without helm (not installable here: not in Debian, and the npm
"helm" is an unrelated package). What it validates:
  1. Chart.yaml and values.yaml parse, Chart.yaml has apiVersion v2, name and version;
  2. every .Values.x.y the templates use exists in values.yaml;
  3. {{ if/range/define }} blocks are balanced by {{ end }};
  4. the templates, rendered by a small substitute for the subset of Go templates they use
     (.Values/.Release substitution, include, nindent, toYaml, quote, if/else on booleans and eq,
     range over a map), parse as YAML and form the expected objects: a StatefulSet with /health
     probes, a headless Service, a Service, a PodDisruptionBudget, and a peer list naming every pod.
Prints one line per check; exits 1 on the first failure. Usage: check_chart.py CHART_DIR"""
import re, sys, yaml

chart_dir = sys.argv[1]
def fail(msg):
    print("FAIL: " + msg); sys.exit(1)

chart = yaml.safe_load(open(f"{chart_dir}/Chart.yaml"))
values = yaml.safe_load(open(f"{chart_dir}/values.yaml"))
if chart.get("apiVersion") != "v2" or not chart.get("name") or not chart.get("version"): fail("Chart.yaml")
print("ok Chart.yaml and values.yaml parse")

import glob, os
templates = {os.path.basename(p): open(p).read() for p in sorted(glob.glob(f"{chart_dir}/templates/*"))}

def lookup(path, root=values):
    node = root
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node: return KeyError
        node = node[part]
    return node

for name, text in templates.items():
    for ref in re.findall(r"\.Values\.([A-Za-z0-9_.]+)", text):
        if lookup(ref) is KeyError: fail(f"{name} uses .Values.{ref}, missing from values.yaml")
    opens = len(re.findall(r"{{-?\s*(if|range|define|with)\b", text))
    ends = len(re.findall(r"{{-?\s*end\s*-?}}", text))
    if opens != ends: fail(f"{name}: {opens} blocks opened, {ends} ended")
print("ok every .Values reference exists; blocks balanced")

release = {"Name": "demo", "Namespace": "cache"}
fullname = f"{release['Name']}-magpie"
headless = f"{release['Name']}-magpie-headless"
labels = f"app.kubernetes.io/name: magpie\napp.kubernetes.io/instance: {release['Name']}"
peers = ",".join(f"{fullname}-{i}.{headless}.{release['Namespace']}.svc.cluster.local:{values['ports']['resp']}@{values['ports']['http']}"
                 for i in range(int(values["replicas"])))

def value_of(expr):
    expr = expr.strip()
    if expr.startswith(".Values."): return lookup(expr[len(".Values."):])
    if expr == ".Release.Name": return release["Name"]
    if expr == ".Release.Namespace": return release["Namespace"]
    m = re.fullmatch(r'include "([^"]+)" \.', expr)
    if m: return {"magpie.fullname": fullname, "magpie.headless": headless, "magpie.labels": labels, "magpie.peers": peers}[m.group(1)]
    fail(f"cannot evaluate {expr!r}")

def evaluate(expr):
    parts = [p.strip() for p in expr.split("|")]
    head = parts[0]
    if head.startswith("toYaml "): v = yaml.safe_dump(value_of(head[7:]), default_flow_style=False).rstrip("\n")
    else: v = value_of(head)
    for f in parts[1:]:
        if f == "quote": v = '"' + str(v) + '"'
        elif f.startswith("nindent "): n = int(f.split()[1]); v = "\n" + "\n".join(" " * n + l for l in str(v).split("\n"))
        else: fail(f"unknown function {f}")
    return "true" if v is True else "false" if v is False else str(v)

def condition(expr):
    m = re.fullmatch(r'eq (\S+) "([^"]*)"', expr.strip())
    if m: return value_of(m.group(1)) == m.group(2)
    m = re.fullmatch(r'and \(eq (\S+) "([^"]*)"\) (\S+)', expr.strip())
    if m: return value_of(m.group(1)) == m.group(2) and bool(value_of(m.group(3)))
    return bool(value_of(expr))

def render(text):
    tokens = re.split(r"({{-?.*?-?}})", text)
    out, stack = [], [True]  # stack of "emitting" flags
    i = 0
    range_body = None
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("{{"):
            trim_left = t.startswith("{{-")
            inner = t.strip("{}").strip("-").strip()
            if trim_left and out: out[-1] = out[-1].rstrip(" \t\n") if stack[-1] else out[-1]
            if inner.startswith("/*") or inner.startswith("define") : pass
            elif inner.startswith("if "): stack.append(stack[-1] and condition(inner[3:]))
            elif inner == "else": stack[-1] = (not stack[-1]) and stack[-2]
            elif inner.startswith("range $name, $value := "):
                # collect the body up to the matching end and emit it once per map entry
                depth, j, body = 1, i + 1, []
                while depth:
                    tj = tokens[j]; ij = tj.strip("{}").strip("-").strip()
                    if tj.startswith("{{") and re.match(r"(if|range|with)\b", ij): depth += 1
                    if tj.startswith("{{") and ij == "end": depth -= 1
                    if depth: body.append(tj)
                    j += 1
                if stack[-1]:
                    for k, v in value_of(inner.split(":= ", 1)[1]).items():
                        item = re.sub(r"{{-?\s*\$name\s*-?}}", k, "".join(body))
                        item = re.sub(r"{{-?\s*\$value \| quote\s*-?}}", '"' + str(v) + '"', item)
                        out.append(render(item))
                i = j; continue
            elif inner == "end": stack.pop()
            elif stack[-1]: out.append(evaluate(inner))
        elif stack[-1]:
            out.append(t)
        i += 1
    return "".join(out)

docs = []
for name, text in templates.items():
    if name.startswith("_"): continue
    rendered = render(text)
    try:
        docs += [d for d in yaml.safe_load_all(rendered) if d]
    except yaml.YAMLError as e:
        fail(f"{name} does not render to YAML: {e}\n{rendered}")
kinds = sorted(d["kind"] for d in docs)
print("ok rendered objects: " + ", ".join(kinds))
if kinds != ["PodDisruptionBudget", "Service", "Service", "StatefulSet"]: fail(f"unexpected objects {kinds}")
sts = next(d for d in docs if d["kind"] == "StatefulSet")
c = sts["spec"]["template"]["spec"]["containers"][0]
if sts["spec"]["replicas"] != values["replicas"]: fail("replicas")
if sts["spec"]["serviceName"] != headless: fail("serviceName")
for probe in ("readinessProbe", "livenessProbe"):
    if c[probe]["httpGet"]["path"] != "/health": fail(probe)
env = {e["name"]: e.get("value") for e in c["env"]}
if env.get("MAGPIE_PEERS", "").count(",") != values["replicas"] - 1: fail(f"peers {env.get('MAGPIE_PEERS')}")
for k, v in values["config"].items():
    if env.get(k) != str(v): fail(f"config {k}")
svc = [d for d in docs if d["kind"] == "Service"]
if not any(s["spec"].get("clusterIP") == "None" for s in svc): fail("no headless service")
if sts["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is not True: fail("runs as root")
print("ok StatefulSet: replicas, headless serviceName, /health probes, peers, config env, non-root")
print("chart ok")
