#!/usr/bin/env python3
"""Which objects hold a JVM's direct buffers, read from a heap dump.

A JVM reports its direct memory as one number (JMX's java.nio BufferPool "direct", or "Other" in native memory
tracking). This reads an HPROF heap dump and lists each direct buffer that still owns native memory (its cleaner
has not run), grouped by the class of an object that refers to it, with their sizes.

    jcmd <pid> GC.heap_dump -all /tmp/cassandra.hprof      # -all: unreachable buffers hold memory too until cleaned
    python3 bench/direct-buffers.py /tmp/cassandra.hprof

A buffer referred to by several objects is counted once, under the first referrer found that is not its cleaner, a
plain object before an array. Slices and duplicates own nothing: what holds a slice is counted as holding its buffer. Standard library only;
a dump of a 512 MB heap takes about 30 s of one core.
"""
import collections
import mmap
import struct
import sys

BASIC_SIZE = {4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}  # HPROF basic types; 2 (object) is the id size


class Dump:
    def __init__(self, path):
        with open(path, 'rb') as file:
            self.m = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        pos = self.m.find(b'\0') + 1
        self.idsize = struct.unpack('>I', self.m[pos:pos + 4])[0]
        self.sizes = {**BASIC_SIZE, 2: self.idsize}
        self.strings, self.names, self.classes = {}, {}, {}  # class id -> (super id, [(field, type)])
        self.instances, self.object_arrays = {}, []  # id -> (class id, offset); (class id, offset, length)
        self._read(pos + 12)
        self._layouts = {}

    def id_at(self, offset):
        return int.from_bytes(self.m[offset:offset + self.idsize], 'big')

    def _read(self, pos):
        m, ids = self.m, self.idsize
        while pos < len(m):
            tag, length = m[pos], struct.unpack('>I', m[pos + 5:pos + 9])[0]
            body, pos = pos + 9, pos + 9 + length
            if tag == 0x01:
                self.strings[self.id_at(body)] = m[body + ids:body + length].decode('utf-8', 'replace')
            elif tag == 0x02:
                self.names[self.id_at(body + 4)] = self.strings.get(self.id_at(body + 8 + ids), '?')
            elif tag in (0x0c, 0x1c):
                self._read_heap(body, body + length)

    def _read_heap(self, p, end):
        m, ids = self.m, self.idsize
        roots = {0xff: ids, 0x01: 2 * ids, 0x02: ids + 8, 0x03: ids + 8, 0x04: ids + 4, 0x05: ids, 0x06: ids + 4,
                 0x07: ids, 0x08: ids + 8}
        while p < end:
            sub = m[p]
            p += 1
            if sub in roots:
                p += roots[sub]
            elif sub == 0x20:
                cid, sup = self.id_at(p), self.id_at(p + ids + 4)
                p += 7 * ids + 8
                count, p = struct.unpack('>H', m[p:p + 2])[0], p + 2
                for _ in range(count):  # constant pool: index, type, value
                    p += 3 + self.sizes[m[p + 2]]
                count, p = struct.unpack('>H', m[p:p + 2])[0], p + 2
                for _ in range(count):  # static fields: name, type, value
                    p += ids + 1 + self.sizes[m[p + ids]]
                count, p = struct.unpack('>H', m[p:p + 2])[0], p + 2
                fields = []
                for _ in range(count):  # instance fields: name, type
                    fields.append((self.strings.get(self.id_at(p), '?'), m[p + ids]))
                    p += ids + 1
                self.classes[cid] = (sup, fields)
            elif sub == 0x21:
                length = struct.unpack('>I', m[p + 4 + 2 * ids:p + 8 + 2 * ids])[0]
                self.instances[self.id_at(p)] = (self.id_at(p + 4 + ids), p + 8 + 2 * ids)
                p += 8 + 2 * ids + length
            elif sub == 0x22:
                count = struct.unpack('>I', m[p + ids + 4:p + ids + 8])[0]
                self.object_arrays.append((self.id_at(p + ids + 8), p + 2 * ids + 8, count))
                p += 2 * ids + 8 + count * ids
            elif sub == 0x23:
                count = struct.unpack('>I', m[p + ids + 4:p + ids + 8])[0]
                p += ids + 9 + count * self.sizes[m[p + ids + 8]]
            else:
                raise SystemExit(f'unknown heap dump record {sub:#x} at offset {p}')

    def layout(self, cid):
        if cid not in self._layouts:
            fields, c = [], cid
            while c in self.classes:  # an instance's values: its own class's fields first, then each superclass's
                fields.extend(self.classes[c][1])
                c = self.classes[c][0]
            self._layouts[cid] = fields
        return self._layouts[cid]

    def fields(self, oid):
        """The named values of one instance, and every object id it refers to."""
        cid, off = self.instances[oid]
        values, refs = {}, []
        for name, kind in self.layout(cid):
            if kind == 2:
                value = self.id_at(off)
                refs.append(value)
            elif kind == 10:
                value = struct.unpack('>i', self.m[off:off + 4])[0]
            elif kind == 11:
                value = struct.unpack('>q', self.m[off:off + 8])[0]
            else:
                value = None
            values.setdefault(name, value)
            off += self.sizes[kind]
        return values, refs

    def class_of(self, oid):
        return self.names.get(self.instances[oid][0], '?')


def owning_buffers(dump):
    """Direct buffers whose memory is still allocated: a cleaner whose deallocator has not zeroed its address."""
    owned = {}
    for oid, (cid, _) in dump.instances.items():
        if dump.names.get(cid) != 'java/nio/DirectByteBuffer':
            continue
        values, _ = dump.fields(oid)
        cleaner = values.get('cleaner')
        if cleaner and cleaner in dump.instances:
            thunk = dump.fields(cleaner)[0].get('thunk')
            if thunk in dump.instances and dump.fields(thunk)[0].get('address'):
                owned[oid] = values['capacity']
    return owned


def slices(dump, owned):
    """Slices and duplicates of owning buffers (an aligned slice is what Cassandra keeps of many): slice -> owner."""
    owner = {}
    for oid, (cid, _) in dump.instances.items():
        if dump.names.get(cid) == 'java/nio/DirectByteBuffer' and oid not in owned:
            att = dump.fields(oid)[0].get('att')
            if att in owned:
                owner[oid] = att
    return owner


def main(path):
    dump = Dump(path)
    owned = owning_buffers(dump)
    owner_of = slices(dump, owned)
    holder = {}

    def hold(ref, name):
        if ref in owner_of:
            ref, name = owner_of[ref], name + ', through a slice'
        if ref in owned and ref not in holder:
            holder[ref] = name

    skip = ('java/nio/DirectByteBuffer', 'jdk/internal/ref/Cleaner')
    for oid in dump.instances:
        if dump.class_of(oid) not in skip:
            for ref in dump.fields(oid)[1]:
                hold(ref, dump.class_of(oid))
    for cid, off, count in dump.object_arrays:
        for i in range(count):
            hold(dump.id_at(off + i * dump.idsize), dump.names.get(cid, '?') + '[]')
    groups = collections.defaultdict(list)
    for ref, capacity in owned.items():
        groups[holder.get(ref, '(no referrer but its cleaner: unreachable, not yet cleaned)')].append(capacity)
    print(f'{len(owned)} direct buffers own {sum(owned.values()) / 1e6:.1f} MB')
    print(f'{"MB":>8} {"buffers":>7}  held by  (sizes: bytes x count)')
    for name, capacities in sorted(groups.items(), key=lambda g: -sum(g[1])):
        sizes = collections.Counter(capacities).most_common(3)
        shown = ', '.join(f'{size} x {n}' for size, n in sizes) + (', ...' if len(set(capacities)) > 3 else '')
        print(f'{sum(capacities) / 1e6:8.1f} {len(capacities):7d}  {name.replace("/", ".")}  ({shown})')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
