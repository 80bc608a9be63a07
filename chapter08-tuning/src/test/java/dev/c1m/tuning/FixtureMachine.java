package dev.c1m.tuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a fake {@code /proc} and {@code /sys} tree for {@link SystemView}: a default developer
 * laptop (16 GiB, soft limit 1024, hard 524288 as systemd sets it, no capabilities), which a test
 * then changes file by file. Public for the tests of {@code bench}.
 */
public final class FixtureMachine {

    static final String NO_CAPABILITIES = "0000000000000000";
    static final String ROOT_CAPABILITIES = "000001ffffffffff";

    private final Map<String, String> files = new LinkedHashMap<>();

    public static FixtureMachine laptop() {
        return new FixtureMachine()
                .openFiles(1024, 524_288)
                .capEff(NO_CAPABILITIES)
                .sysctl("fs.file-max", "9223372036854775807")
                .sysctl("fs.nr_open", "1048576")
                .sysctl("net.core.somaxconn", "4096")
                .sysctl("net.ipv4.tcp_max_syn_backlog", "1024")
                .sysctl("net.ipv4.ip_local_port_range", "32768\t60999")
                .sysctl("net.ipv4.tcp_tw_reuse", "2")
                .sysctl("net.ipv4.tcp_fin_timeout", "60")
                .sysctl("net.ipv4.tcp_mem", "190000\t253000\t380000")
                .sysctl("net.ipv4.tcp_rmem", "4096\t131072\t6291456")
                .sysctl("net.ipv4.tcp_wmem", "4096\t16384\t4194304")
                .memAvailableKib(12L << 20)
                .file("sys/devices/system/cpu/online", "0-7\n");
    }

    FixtureMachine openFiles(long soft, long hard) {
        return file("proc/self/limits", """
                Limit                     Soft Limit           Hard Limit           Units
                Max cpu time              unlimited            unlimited            seconds
                Max processes             63000                63000                processes
                Max open files            %d                 %d               files
                Max locked memory         8388608              8388608              bytes
                """.formatted(soft, hard));
    }

    FixtureMachine capEff(String hex) {
        return file("proc/self/status", "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t" + hex + "\nCapEff:\t" + hex + "\n");
    }

    public FixtureMachine sysctl(String name, String value) {
        return file("proc/sys/" + name.replace('.', '/'), value + "\n");
    }

    /** Removes a sysctl's file, as a kernel without it (or a namespace that does not show it) would. */
    FixtureMachine without(String sysctlName) {
        files.remove("proc/sys/" + sysctlName.replace('.', '/'));
        return this;
    }

    FixtureMachine memAvailableKib(long kib) {
        return file("proc/meminfo", "MemTotal:       " + (kib + 1_000_000) + " kB\nMemFree:         1000 kB\nMemAvailable:   "
                + kib + " kB\n");
    }

    FixtureMachine file(String relative, String content) {
        files.put(relative, content);
        return this;
    }

    public SystemView writeTo(Path root) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path path = root.resolve(f.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, f.getValue());
        }
        return new SystemView(root);
    }
}
