#!/usr/bin/env python3
"""Top frames of a JFR recording's execution samples, from `jfr print --events jdk.ExecutionSample` on stdin.

    jfr print --events jdk.ExecutionSample --stack-depth 64 catalog.jfr | python3 infra/bench/jfr-top.py [N]

Prints the samples per thread group (thread names without their numbers, nor the Hazelcast instance's name),
the self time per component (the package of the sampled, top-most frame), the N (default 15) methods most often
on top of the stack (self), the samples by their project frame nearest the top (which of the project's methods
the time is spent under), and the N project methods (io.catalogsuite) most often anywhere on the stack
(inclusive).
"""
import collections
import re
import sys

COMPONENTS = [("io.catalogsuite.", "catalog suite"), ("com.hazelcast.", "Hazelcast"), ("io.netty.", "Netty"),
              ("io.vertx.", "Vert.x"), ("com.fasterxml.jackson.", "Jackson"), ("io.micrometer.", "Micrometer"),
              ("ch.qos.logback.", "Logback"), ("java.", "JDK"), ("javax.", "JDK"), ("jdk.", "JDK"),
              ("sun.", "JDK"), ("com.sun.", "JDK")]


def component(frame):
    return next((name for prefix, name in COMPONENTS if frame.startswith(prefix)), "other")


def samples(lines):
    """(thread, [frames, top first]) per sample; a frame is the method without its arguments and line."""
    thread, frames, in_stack = None, [], False
    for line in lines:
        text = line.strip()
        if text.startswith("sampledThread = "):
            match = re.match(r'sampledThread = "([^"]*)"', text)
            thread = match.group(1) if match else "?"
        elif text == "stackTrace = [":
            frames, in_stack = [], True
        elif in_stack and text == "]":
            in_stack = False
            yield thread, frames
        elif in_stack and text and text != "...":
            frames.append(text.split("(")[0])


def show(title, counter, total, n):
    print(f"\n{title}")
    for name, count in counter.most_common(n):
        print(f"  {100 * count / total:5.1f} %  {name}")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    threads, components, self_frames, nearest, project = (collections.Counter() for _ in range(5))
    total = 0
    for thread, frames in samples(sys.stdin):
        if not frames:
            continue
        total += 1
        threads[re.sub(r"[-#]?\d+", "-N", re.sub(r"^hz\.[^.]+\.", "hz.", thread))] += 1
        components[component(frames[0])] += 1
        self_frames[frames[0]] += 1
        mine = [frame for frame in frames if frame.startswith("io.catalogsuite.")]
        nearest[mine[0] if mine else "(no project frame: I/O, Hazelcast's threads, the JVM)"] += 1
        project.update(set(mine))
    if total == 0:
        sys.exit("no execution samples found")
    print(f"{total} execution samples")
    show("Samples per thread group", threads, total, n)
    show("Self time per component (top frame's package)", components, total, n)
    show(f"Top {n} frames, self (on top of the stack)", self_frames, total, n)
    show(f"Top {n} nearest project frames (the project's method nearest the top)", nearest, total, n)
    show(f"Top {n} project frames, inclusive (anywhere on the stack)", project, total, n)


if __name__ == "__main__":
    main()
