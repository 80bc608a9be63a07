package dev.c1m.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a machine against a connection target, limit by limit, in the order a reader meets them
 * on the way to a million: descriptors per process, descriptors per system, accept queues, local
 * ports, TIME_WAIT handling, the established-connection hash, socket buffer memory, memory,
 * cores. For each it says what the current value allows and, when that is not enough, the exact
 * fix.
 *
 * <p>What it computes:
 * <ul>
 *   <li>descriptors: a process can hold (hard limit - reserve) connections, so the target needs
 *       ceil(N / that) load-generator processes when both ends are here, and a few more server
 *       processes than that, since {@code SO_REUSEPORT} spreads connections over them only evenly
 *       on average ({@link ReusePortSizing}). Without {@code CAP_SYS_RESOURCE} the hard limit
 *       cannot be raised: the run must span several processes (WARN), or is impractical beyond
 *       {@value #MAX_PRACTICAL_PROCESSES} (FAIL).
 *       The JVM raises its soft limit to the hard one by itself ({@code -XX:+MaxFDLimit}, on by
 *       default), so only the hard limit counts for Java processes.</li>
 *   <li>ports: one source address offers the local port range once; the connect rate collapses
 *       past about half of it, so the target needs ceil(N / (range / 2)) source addresses.</li>
 *   <li>memory: sockets x kernel bytes per socket + N x heap per connection + processes x JVM floor.</li>
 * </ul>
 *
 * <p>Stateless; reads through a {@link SystemView}, so tests point it at fixture trees. Does not
 * change anything on the machine.
 */
public final class ReadinessDoctor {

    /** Beyond this many processes per side, JVM floors and supervision dominate: a FAIL. */
    static final long MAX_PRACTICAL_PROCESSES = 200;
    private static final String PERSIST = "/etc/sysctl.d/90-c1m.conf";

    private final SystemView system;

    public ReadinessDoctor(SystemView system) {
        this.system = system;
    }

    public ReadinessReport examine(ReadinessTarget target) {
        long n = target.connections();
        long sockets = target.sockets();
        int reserve = target.reservedDescriptors();
        List<ReadinessCheck> checks = new ArrayList<>();

        SystemView.FileLimits files = system.openFiles();
        boolean canRaise = system.canRaiseHardLimit();
        long nrOpen = system.sysctlValue("fs.nr_open").orElse(1_048_576L);
        long perProcess = Math.max(1, files.hard() - reserve);
        long processes = ReusePortSizing.processesFor(n, perProcess);
        long clientProcesses = target.bothEndsHere() ? ceil(n, perProcess) : 0;

        checks.add(softLimit(files, n + reserve));
        checks.add(hardLimit(files, canRaise, nrOpen, n, reserve, processes, clientProcesses));
        checks.add(nrOpen(nrOpen, n + reserve));
        checks.add(fileMax(system.sysctlValue("fs.file-max").orElse(Long.MAX_VALUE), sockets + reserve * (processes + clientProcesses)));
        checks.add(queue("net.core.somaxconn", 4096, "longest accept queue a listen() gets",
                "and pass a backlog that large to bind(): Java's default backlog is 50"));
        checks.add(queue("net.ipv4.tcp_max_syn_backlog", 1024, "half-open connections queued per listener", ""));
        long[] range = system.sysctl("net.ipv4.ip_local_port_range").orElse(new long[] {32768, 60999});
        long ports = range[1] - range[0] + 1;
        long sources = ceil(n, Math.max(1, ports / 2));
        checks.add(portRange(range, ports, n, sources));
        checks.add(twReuse(system.sysctlValue("net.ipv4.tcp_tw_reuse").orElse(2L)));
        system.sysctlValue("net.ipv4.tcp_tw_recycle").ifPresent(v -> checks.add(twRecycle(v)));
        checks.add(finTimeout(system.sysctlValue("net.ipv4.tcp_fin_timeout").orElse(60L)));
        system.sysctlValue("net.ipv4.tcp_ehash_entries").ifPresent(v -> checks.add(establishedHash(v, sockets)));
        long available = system.memAvailableBytes();
        checks.add(system.sysctl("net.ipv4.tcp_mem").map(pages -> tcpMem(pages, sockets, available))
                .orElseGet(ReadinessDoctor::tcpMemNotVisible));
        checks.add(buffers("net.ipv4.tcp_rmem", "receive"));
        checks.add(buffers("net.ipv4.tcp_wmem", "send"));
        long memory = sockets * target.kernelBytesPerSocket() + n * target.heapBytesPerConnection()
                + (processes + clientProcesses) * target.bytesPerProcess();
        checks.add(memory(target, available, memory, processes + clientProcesses));
        checks.add(cores(system.cores(), target.bothEndsHere()));
        return new ReadinessReport(target, system.root().toString(), List.copyOf(checks), processes, clientProcesses,
                sources, memory);
    }

    private static ReadinessCheck softLimit(SystemView.FileLimits files, long need) {
        String value = limit(files.soft());
        if (files.soft() >= need) {
            return pass("open files (soft)", value, fmt("%,d descriptors: enough for one process", files.soft()));
        }
        if (files.soft() < files.hard()) {
            return new ReadinessCheck("open files (soft)", value,
                    fmt("EMFILE after about %,d connections, below the hard limit %s", files.soft(), limit(files.hard())),
                    Verdict.WARN, """
                    a JVM raises it to the hard limit by itself (-XX:+MaxFDLimit, on by default): nothing to do for Java
                    other programs: ulimit -n %d   (in the shell that starts them)""".formatted(files.hard()));
        }
        return pass("open files (soft)", value, "as high as the hard limit: the hard limit decides");
    }

    private static ReadinessCheck hardLimit(SystemView.FileLimits files, boolean canRaise, long nrOpen, long n, int reserve,
                                            long processes, long clientProcesses) {
        String value = limit(files.hard()) + (canRaise ? "" : " (cannot raise)");
        long want = Math.min(nrOpen, roundUp(n + reserve));
        String perSide = processes == 1 ? "one process holds them all"
                : fmt("%,d connections per process: the run needs %,d server processes (room for SO_REUSEPORT's"
                        + " uneven spread)%s", files.hard() - reserve, processes,
                clientProcesses > 0 ? fmt(" and %,d load-generator processes", clientProcesses) : "");
        if (processes == 1) {
            return pass("open files (hard)", value, perSide);
        }
        String raise = """
                ulimit -Hn %1$d && ulimit -n %1$d                  (root, this shell and its children)
                /etc/security/limits.conf: *  hard  nofile  %1$d   (and soft; new login sessions)
                systemd unit: LimitNOFILE=%1$d""".formatted(want);
        if (canRaise) {
            return new ReadinessCheck("open files (hard)", value, perSide, Verdict.WARN,
                    raise + "\nor keep the limit and run several processes (the load generator's --processes, part 2's supervisor)");
        }
        Verdict verdict = processes > MAX_PRACTICAL_PROCESSES ? Verdict.FAIL : Verdict.WARN;
        return new ReadinessCheck("open files (hard)", value, perSide + "; this process lacks CAP_SYS_RESOURCE", verdict,
                "the run must span several processes: this process cannot raise its hard limit (CapEff has no CAP_SYS_RESOURCE)\n"
                        + (verdict == Verdict.FAIL ? fmt("%,d processes per side is impractical: ask the administrator for a higher limit:%n", processes) : "or have an administrator raise it:\n")
                        + raise + "\ncontainers: docker run --ulimit nofile=" + want + ":" + want);
    }

    private static ReadinessCheck nrOpen(long nrOpen, long need) {
        if (nrOpen >= need) {
            return pass("fs.nr_open", fmt("%,d", nrOpen), fmt("a hard limit of up to %,d descriptors per process", nrOpen));
        }
        long value = roundUp(need);
        return new ReadinessCheck("fs.nr_open", fmt("%,d", nrOpen),
                fmt("no process can hold more than %,d descriptors, whatever its ulimit", nrOpen), Verdict.WARN,
                "raise it before the hard limit (ulimit -Hn above nr_open fails with 'Operation not permitted'):\n"
                        + sysctl("fs.nr_open", "" + value));
    }

    private static ReadinessCheck fileMax(long fileMax, long need) {
        String allows = fmt("%,d open files on the whole machine; the run needs about %,d", fileMax, need);
        if (fileMax >= need) {
            return pass("fs.file-max", fmt("%,d", fileMax), allows);
        }
        return new ReadinessCheck("fs.file-max", fmt("%,d", fileMax), allows + ": ENFILE before the target", Verdict.FAIL,
                sysctl("fs.file-max", "" + roundUp(2 * need)) + "\nraising file-max alone is not enough: fs.nr_open and the hard limit cap each process");
    }

    private ReadinessCheck queue(String name, long recommended, String meaning, String note) {
        long value = system.sysctlValue(name).orElse(0L);
        String allows = fmt("%s: %,d", meaning, value);
        if (value >= recommended) {
            return pass(name, fmt("%,d", value), allows);
        }
        return new ReadinessCheck(name, fmt("%,d", value), allows + fmt("; a fast ramp overflows it (RST or dropped SYN)"),
                Verdict.WARN, sysctl(name, "" + Math.max(recommended, 8192)) + (note.isEmpty() ? "" : "\n" + note));
    }

    private static ReadinessCheck portRange(long[] range, long ports, long n, long sources) {
        String value = range[0] + "-" + range[1];
        String allows = fmt("%,d ports per source address, about %,d connect fast: %,d connections need %,d source address(es)",
                ports, ports / 2, n, sources);
        if (ports >= 20_000) {
            return pass("net.ipv4.ip_local_port_range", value, allows);
        }
        return new ReadinessCheck("net.ipv4.ip_local_port_range", value, allows + " (a narrow range)", Verdict.WARN,
                sysctl("net.ipv4.ip_local_port_range", "\"10000 65000\"")
                        + "\nkeep it above the ports your servers listen on; or add source addresses (127.0.0.2, ...)");
    }

    private static ReadinessCheck twReuse(long value) {
        if (value == 1 || value == 2) {
            return pass("net.ipv4.tcp_tw_reuse", "" + value, value == 1
                    ? "new outgoing connections may reuse TIME_WAIT ports"
                    : "reuse of TIME_WAIT ports for loopback connections only");
        }
        return new ReadinessCheck("net.ipv4.tcp_tw_reuse", "" + value,
                "TIME_WAIT ports stay unusable for 60 s: a client that reconnects runs out of ports", Verdict.WARN,
                sysctl("net.ipv4.tcp_tw_reuse", "1"));
    }

    private static ReadinessCheck twRecycle(long value) {
        if (value == 0) {
            return pass("net.ipv4.tcp_tw_recycle", "0", "off, as it must be (removed in Linux 4.12)");
        }
        return new ReadinessCheck("net.ipv4.tcp_tw_recycle", "" + value,
                "drops connections from clients behind NAT (timestamps from several hosts look out of order)", Verdict.FAIL,
                sysctl("net.ipv4.tcp_tw_recycle", "0") + "\nthe setting was removed in Linux 4.12: do not copy it from old guides");
    }

    private static ReadinessCheck finTimeout(long seconds) {
        String allows = fmt("an orphaned connection waits %d s in FIN_WAIT_2", seconds);
        if (seconds <= 60) {
            return pass("net.ipv4.tcp_fin_timeout", seconds + " s", allows);
        }
        return new ReadinessCheck("net.ipv4.tcp_fin_timeout", seconds + " s", allows + ": closed connections pile up",
                Verdict.WARN, sysctl("net.ipv4.tcp_fin_timeout", "30"));
    }

    /**
     * The table the kernel finds each incoming segment's socket in. Linux 6.1+ shows its size, negative
     * in a namespace that shares the first namespace's table (sized at boot, never grown).
     */
    private static ReadinessCheck establishedHash(long entries, long sockets) {
        long buckets = Math.abs(entries);
        long chain = ceil(sockets, Math.max(1, buckets));
        String value = fmt("%,d%s", buckets, entries < 0 ? " (shared)" : "");
        String allows = fmt("each incoming segment walks a chain of about %,d socket(s) to find its own", chain);
        if (chain <= 2) {
            return pass("net.ipv4.tcp_ehash_entries", value, allows);
        }
        return new ReadinessCheck("net.ipv4.tcp_ehash_entries", value, allows + ": CPU on every packet", Verdict.WARN,
                "sysctl -w net.ipv4.tcp_child_ehash_entries=" + Long.highestOneBit(sockets * 2 - 1)
                        + "   then run server and load in a new network namespace: unshare -n, and ip link set lo up in it"
                        + "\nor size the first namespace's table at boot: thash_entries=N on the kernel command line");
    }

    private static ReadinessCheck tcpMem(long[] pages, long sockets, long available) {
        String value = pages[0] + " " + pages[1] + " " + pages[2];
        long maxBytes = pages[2] * 4096;
        String allows = fmt("socket buffers up to %s in all, pressure from %s: %,d bytes per socket if all %,d carry data",
                ReadinessReport.bytes(maxBytes), ReadinessReport.bytes(pages[1] * 4096), maxBytes / Math.max(1, sockets), sockets);
        if (maxBytes >= sockets * 4096L || maxBytes >= available / 2) {
            return pass("net.ipv4.tcp_mem (pages)", value, allows);
        }
        long max = Math.min(available / 2, sockets * 4096L) / 4096;
        return new ReadinessCheck("net.ipv4.tcp_mem (pages)", value, allows + ": less than one page each", Verdict.WARN,
                sysctl("net.ipv4.tcp_mem", "\"" + max / 2 + " " + max * 3 / 4 + " " + max + "\""));
    }

    /** Inside a network namespace other than the first, the global {@code tcp_mem} has no file at all. */
    private static ReadinessCheck tcpMemNotVisible() {
        return new ReadinessCheck("net.ipv4.tcp_mem (pages)", "not visible here",
                "global to the machine, and a network namespace other than the first does not show it", Verdict.WARN,
                "run the doctor outside the namespace and raise it there (chapter 8's scripts/c1m-netns.sh does)");
    }

    private ReadinessCheck buffers(String name, String direction) {
        long[] v = system.sysctl(name).orElse(new long[] {4096, 16384, 4194304});
        return pass(name, v[0] + " " + v[1] + " " + v[2], fmt(
                "%s buffer starts at %,d bytes, grows to %,d; an idle socket holds none (SO_%sBUF caps one socket)",
                direction, v[1], v[2], direction.equals("receive") ? "RCV" : "SND"));
    }

    private static ReadinessCheck memory(ReadinessTarget t, long available, long need, long processes) {
        String allows = fmt("needs about %s: %,d sockets x %,d B kernel + %,d x %,d B heap + %,d JVMs x %s",
                ReadinessReport.bytes(need), t.sockets(), t.kernelBytesPerSocket(), t.connections(),
                t.heapBytesPerConnection(), processes, ReadinessReport.bytes(t.bytesPerProcess()));
        String value = ReadinessReport.bytes(available) + " available";
        if (need > available) {
            return new ReadinessCheck("memory (MemAvailable)", value, allows, Verdict.FAIL,
                    fmt("target at most about %,d connections here, or free memory, or spread server and clients over machines",
                            t.connections() * available / need));
        }
        if (need > available * 8 / 10) {
            return new ReadinessCheck("memory (MemAvailable)", value, allows + " (over 80%)", Verdict.WARN,
                    "stop other work on the machine during the run; use small JVMs (-Xmx64m -XX:+UseSerialGC)");
        }
        return pass("memory (MemAvailable)", value, allows);
    }

    private static ReadinessCheck cores(int cores, boolean bothEndsHere) {
        String allows = fmt("%d core(s)%s", cores, bothEndsHere ? " shared by the server and the load generator" : "");
        if (cores >= 2 || !bothEndsHere) {
            return pass("cores", "" + cores, allows);
        }
        return new ReadinessCheck("cores", "" + cores, allows + ": they measure each other", Verdict.WARN,
                "run the load generator on another machine, or expect lower rates");
    }

    private static ReadinessCheck pass(String limit, String value, String allows) {
        return new ReadinessCheck(limit, value, allows, Verdict.PASS, "");
    }

    private static String sysctl(String name, String value) {
        return "sysctl -w " + name + "=" + value + "   (now)\necho '" + name + " = " + value.replace("\"", "")
                + "' >> " + PERSIST + "   (after reboot)";
    }

    private static String limit(long value) {
        return value == Long.MAX_VALUE ? "unlimited" : fmt("%,d", value);
    }

    private static long ceil(long a, long b) {
        return Math.max(1, (a + b - 1) / b);
    }

    /** The next multiple of 2^20 at or above {@code value}, a round number for a limit. */
    private static long roundUp(long value) {
        return (value + (1 << 20) - 1) >> 20 << 20;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
