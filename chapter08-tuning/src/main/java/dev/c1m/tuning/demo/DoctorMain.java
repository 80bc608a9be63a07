package dev.c1m.tuning.demo;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.tuning.ReadinessDoctor;
import dev.c1m.tuning.ReadinessReport;
import dev.c1m.tuning.ReadinessTarget;
import dev.c1m.tuning.SystemView;

import java.nio.file.Path;
import java.util.List;

/**
 * Prints the readiness report for a connection target on this machine (or on a fixture tree).
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" dev.c1m.tuning.demo.DoctorMain \
 *      [--connections 1000000] [--server-only] [--kernel-bytes-per-socket 5200] [--root /]
 * </pre>
 * Exit status: 0 when nothing FAILs, 1 when something does, 2 on bad options.
 */
public final class DoctorMain {

    private static final String USAGE = """
            usage: DoctorMain [--connections N] [--server-only] [--kernel-bytes-per-socket N]
                              [--heap-bytes-per-connection N] [--root DIR]
              --connections               the target (default 1000000)
              --server-only               the load generator runs on other machines (default: both here)
              --kernel-bytes-per-socket   kernel memory of one idle socket (default 5200, measured)
              --heap-bytes-per-connection the server's heap per connection (default 768)
              --root                      read /proc and /sys under DIR instead of / (default /)""";

    private DoctorMain() {
    }

    public static void main(String[] args) {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, USAGE,
                List.of("connections", "kernel-bytes-per-socket", "heap-bytes-per-connection", "root"), List.of("server-only"));
        ReadinessTarget defaults = ReadinessTarget.of(o.integer("connections", 1_000_000, 1, 100_000_000), !o.flag("server-only"));
        ReadinessTarget target = new ReadinessTarget(defaults.connections(), defaults.bothEndsHere(),
                o.integer("kernel-bytes-per-socket", (int) defaults.kernelBytesPerSocket(), 1, 1 << 20),
                o.integer("heap-bytes-per-connection", (int) defaults.heapBytesPerConnection(), 0, 1 << 20),
                defaults.bytesPerProcess(), defaults.reservedDescriptors());
        ReadinessReport report = new ReadinessDoctor(new SystemView(Path.of(o.string("root", "/")))).examine(target);
        System.out.print(report.toText());
        System.exit(report.overall() == dev.c1m.tuning.Verdict.FAIL ? 1 : 0);
    }
}
