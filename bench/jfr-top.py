#!/usr/bin/env python3
"""Summarises a Flight Recording of the gateway under load (bench/compare.sh --profile) as plain text.

    python3 bench/jfr-top.py RECORDING.jfr [MESSAGES] [--imap | --cassandra]

--imap (bench/compare-imap.sh --jfr): the stages of mailbox access over IMAP instead, the Cassandra read path
split into the driver, James's Cassandra DAOs, MIME parsing and IMAP encoding. --cassandra: the recording of the
Cassandra JVM (compare.sh --profile records it beside the gateway's), by stage of a statement's way through it,
and by kind of work (lightweight transactions, batches, reads...: a frame anywhere on the stack, rows overlap).

Prints where the CPU samples (jdk.ExecutionSample) and the allocated bytes (jdk.ObjectAllocationSample) went, by
stage of a message's way through the server, then the hottest methods and Gateway's own classes. A sample belongs
to the innermost stage found on its stack, so a copy made while queueing counts for the queue, not for SMTP.
"""
import collections
import json
import re
import subprocess
import sys

# (stage, parts of a frame's name that mark it). Each frame, from the top of the stack down, is checked against the
# stages in this order; the first match decides.
STAGES = [
    ("logging (logback)", ["ch/qos/logback/"]),
    ("Cassandra driver (encoding, decoding, its event loop)", ["com/datastax/"]),
    ("spool queue: copy of the mail on enqueue (memory queue)", ["MemoryCacheableMailQueue.enQueue", "cloneMail"]),
    ("spool queue: dequeue and hand-over", ["org/apache/james/queue/", "org/apache/james/mailetcontainer/impl/JamesMailSpooler"]),
    ("mailbox append (LocalDelivery, memory mailbox)", ["org/apache/james/transport/mailets/LocalDelivery.",
                                                         "org/apache/james/mailbox/"]),
    ("mailet pipeline (matchers, other mailets)", ["org/apache/james/mailetcontainer/", "org/apache/james/transport/"]),
    ("spam filter (spamd client)", ["dev/gateway/smtphooks/SpamFilter", "dev/gateway/smtphooks/Spamd"]),
    ("SMTP DATA: reading, filtering and buffering the message",
     ["org/apache/james/protocols/smtp/core/DataCmdHandler$DataLineFilterWrapper",
      "org/apache/james/smtpserver/DataLineJamesMessageHookHandler"]),
    ("SMTP commands, hooks and replies", ["org/apache/james/protocols/", "org/apache/james/smtpserver/"]),
    ("WebAdmin (the benchmark polls message counts)", ["org/apache/james/webadmin/", "spark/", "org/eclipse/jetty/"]),
    ("network I/O (Netty)", ["io/netty/"]),
    ("metrics", ["com/codahale/metrics/", "org/apache/james/metrics/"]),
]

IMAP_STAGES = [
    ("logging (logback)", ["ch/qos/logback/"]),
    ("TLS (JDK SSLEngine, ciphers)", ["sun/security/ssl/", "com/sun/crypto/", "javax/crypto/", "sun/security/provider/"]),
    ("Cassandra driver (encoding, decoding, its event loop)", ["com/datastax/"]),
    ("James Cassandra mailbox (DAOs, row to message)", ["org/apache/james/mailbox/cassandra/",
                                                         "org/apache/james/backends/cassandra/"]),
    ("MIME parsing (mime4j: headers, ENVELOPE, body structure)", ["org/apache/james/mime4j/"]),
    ("IMAP response encoding", ["org/apache/james/imap/encode/", "org/apache/james/imapserver/netty/ImapResponseComposer",
                                "org/apache/james/imap/message/response/"]),
    ("IMAP FETCH building (EnvelopeBuilder, FetchResponseBuilder)", ["org/apache/james/imap/processor/fetch/"]),
    ("IMAP decoding and other processors", ["org/apache/james/imap/", "org/apache/james/imapserver/", "dev/gateway/imap"]),
    ("James mailbox store (MessageManager, search, events)", ["org/apache/james/mailbox/", "org/apache/james/events/"]),
    ("Reactor scheduling", ["reactor/"]),
    ("network I/O (Netty)", ["io/netty/"]),
    ("metrics", ["com/codahale/metrics/", "org/apache/james/metrics/"]),
]

# The Cassandra JVM, by what a sample works for rather than where it is: a sample counts for each of these whose frame
# is anywhere on its stack (so the rows overlap, and do not add up). The stages above give each sample to its
# innermost stage only, so a lightweight transaction's reads and writes count there as reads and writes; this table
# gives the whole share of each kind of work (what removing it could save at most).
CASSANDRA_WORK = [
    # (kind of work, parts of a frame's name that mark it, parts that exclude it when found anywhere on the stack)
    ("lightweight transactions (Paxos, all their reads and writes)", ["org/apache/cassandra/service/paxos/"], []),
    ("batches (BatchStatement)", ["org/apache/cassandra/cql3/statements/BatchStatement"], []),
    ("single writes and deletes (ModificationStatement, outside batches and Paxos)",
     ["org/apache/cassandra/cql3/statements/ModificationStatement.execute"],
     ["org/apache/cassandra/service/paxos/", "org/apache/cassandra/cql3/statements/BatchStatement"]),
    ("reads (SelectStatement)", ["org/apache/cassandra/cql3/statements/SelectStatement"], []),
    ("flush and compaction", ["org/apache/cassandra/db/compaction/", "org/apache/cassandra/db/memtable/Flushing",
                              "org/apache/cassandra/db/ColumnFamilyStore$Flush"], []),
    ("native transport (every request's handling, all of the above included)", ["org/apache/cassandra/transport/"], []),
]


def on_stack(stack, parts):
    return any(part in frame for frame in stack for part in parts)


def work_of(stack):
    """The CASSANDRA_WORK rows a sample counts for."""
    return {name for name, parts, unless in CASSANDRA_WORK if on_stack(stack, parts) and not on_stack(stack, unless)}


# The Cassandra JVM: the innermost stage of a statement's way through the server.
CASSANDRA_STAGES = [
    ("logging", ["ch/qos/logback/"]),
    ("commit log (append, sync)", ["org/apache/cassandra/db/commitlog/"]),
    ("memtable insert", ["org/apache/cassandra/db/memtable/", "org/apache/cassandra/utils/memory/",
                         "org/apache/cassandra/db/partitions/AtomicBTreePartition"]),
    ("flush (memtable to sstable)", ["org/apache/cassandra/db/ColumnFamilyStore$Flush", "org/apache/cassandra/io/sstable/format/SSTableWriter",
                                     "org/apache/cassandra/io/sstable/format/big/BigTableWriter",
                                     "org/apache/cassandra/io/sstable/format/bti/BtiTableWriter"]),
    ("compaction", ["org/apache/cassandra/db/compaction/"]),
    ("Paxos (lightweight transactions: prepare, propose, commit, paxos table)", ["org/apache/cassandra/service/paxos/"]),
    ("counter writes", ["org/apache/cassandra/db/CounterMutation", "org/apache/cassandra/db/context/CounterContext"]),
    ("reads (partition reads, sstable lookups)", ["org/apache/cassandra/db/SinglePartitionReadCommand",
                                                  "org/apache/cassandra/db/ReadCommand", "org/apache/cassandra/io/sstable/",
                                                  "org/apache/cassandra/db/rows/", "org/apache/cassandra/db/transform/"]),
    ("write path (mutation apply, indexes)", ["org/apache/cassandra/db/Mutation", "org/apache/cassandra/db/Keyspace.apply",
                                              "org/apache/cassandra/service/StorageProxy"]),
    ("CQL (parse, prepare, execute, bind)", ["org/apache/cassandra/cql3/"]),
    ("native protocol (frames, encoding)", ["org/apache/cassandra/transport/"]),
    ("messaging and stages (local hand-offs)", ["org/apache/cassandra/net/", "org/apache/cassandra/concurrent/"]),
    ("metrics", ["com/codahale/metrics/", "org/apache/cassandra/metrics/"]),
    ("network I/O (Netty)", ["io/netty/"]),
]


# Which stages each kind of recording is read with (the command line's --imap and --cassandra).
KINDS = {"gateway": STAGES, "imap": IMAP_STAGES, "cassandra": CASSANDRA_STAGES}


def frames(event):
    stack = event["values"].get("stackTrace")
    if not stack:
        return []
    return [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in stack["frames"]]


def stage_of(stack, stages):
    for frame in stack:
        for stage, markers in stages:
            if any(m in frame for m in markers):
                return stage
    return "other (JVM, GC helpers, JDK)"


def thread_pool(event):
    """The name of the thread an event came from, its numbers as N: a pool's threads count together."""
    thread = event["values"].get("eventThread") or {}
    return re.sub(r"\d+", "N", thread.get("javaName") or thread.get("osName") or "?")


def events(recording, event_type):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "128", "--events", event_type, recording],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def table(title, counter, total, unit, limit=None):
    print(f"\n{title}")
    for key, value in counter.most_common(limit):
        print(f"  {100 * value / total:5.1f}%  {key}")
    print(f"  (total: {unit})")


def main(recording, messages=None, kind="gateway"):
    stages = KINDS[kind]
    samples = [frames(e) for e in events(recording, "jdk.ExecutionSample")]
    samples = [s for s in samples if s]
    by_stage = collections.Counter(stage_of(s, stages) for s in samples)
    top = collections.Counter(s[0] for s in samples)
    ours = collections.Counter()
    for s in samples:
        for frame in set(s):
            if frame.startswith("dev/gateway/"):
                ours[frame] += 1
    table("CPU samples by stage", by_stage, len(samples), f"{len(samples)} samples")
    table("Hottest methods (self time)", top, len(samples), f"{len(samples)} samples", 15)
    if kind != "cassandra":
        table("Gateway's own code (time including callees)", ours, len(samples), f"{len(samples)} samples", 10)
    else:
        work = collections.Counter(row for s in samples for row in work_of(s))
        table("CPU samples by kind of work (a frame anywhere on the stack; rows overlap)", work, len(samples),
              f"{len(samples)} samples")

    allocations = collections.Counter()
    by_thread = collections.Counter()
    allocated = 0
    for e in events(recording, "jdk.ObjectAllocationSample"):
        stack = frames(e)
        if stack:
            weight = e["values"].get("weight", 0)
            allocations[stage_of(stack, stages)] += weight
            by_thread[thread_pool(e)] += weight
            allocated += weight
    per_message = f", {allocated / 1e3 / int(messages):.0f} KB per message" if messages else ""
    table("Allocated bytes by stage", allocations, allocated or 1, f"{allocated / 1e6:.0f} MB sampled{per_message}")
    table("Allocated bytes by thread (pools by name, numbers as N)", by_thread, allocated or 1,
          f"{allocated / 1e6:.0f} MB sampled{per_message}", 8)

    native = collections.Counter(s[0] for s in (frames(e) for e in events(recording, "jdk.NativeMethodSample")) if s)
    busy = collections.Counter({k: v for k, v in native.items() if "EPoll.wait" not in k and "accept" not in k})
    table("Threads in native code, other than waiting for the network", busy, sum(native.values()) or 1,
          f"{sum(native.values())} native samples", 8)


if __name__ == "__main__":
    flags = [arg[2:] for arg in sys.argv[1:] if arg in ("--imap", "--cassandra")]
    positional = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    main(*positional[:2], kind=flags[-1] if flags else "gateway")
