package dev.c1m.tuning;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Ends a supervised child process when its parent ends, however the parent ends (SIGKILL and
 * crashes included), so that no orphan keeps a shared port or keeps connecting.
 *
 * <p>The child learns it from its standard input. A parent that starts it with
 * {@link ProcessBuilder} holds the write end of that pipe, and the kernel closes every
 * descriptor of a process that dies, so the child's blocked read returns end-of-file at once.
 * That costs nothing while the parent lives: one thread blocked in {@code read}. The JDK's
 * {@code ProcessHandle.parent().onExit()} cannot wait like that for a process that is not its
 * child; it polls {@code /proc} from a thread that wakes every 0.3 to 5 s (0.01 cores over the
 * 63 child JVMs of a 600,000-connection run: chapter 8's results/NOTEBOOK.md), and learns of
 * the death up to 5 s late.
 *
 * <p>A child whose own main has no such option (chapter 1's servers, started by benchmarks) runs
 * under this class's {@link #main}: {@code java ... dev.c1m.tuning.ExitWithParent <main class> [args]}.
 *
 * <p>The watching thread is a daemon platform thread that owns {@code System.in}; nothing else
 * in the process may read it.
 */
public final class ExitWithParent {

    private ExitWithParent() {
    }

    /**
     * Starts the watch with exit status 1, then runs the {@code main} of the class named by
     * {@code args[0]} with the remaining arguments, on this thread.
     */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ExitWithParent <main class> [arguments]");
            System.exit(2);
        }
        whenStandardInputEnds(1);
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the program's own failure, not the launcher's
        }
    }

    /**
     * Starts the watch: when standard input ends (or fails), the JVM exits with {@code status},
     * which runs its shutdown hooks (a worker's drain). Standard input must be the parent's
     * pipe: a child started with stdin from {@code /dev/null} exits at once.
     */
    public static void whenStandardInputEnds(int status) {
        Thread.ofPlatform().daemon().name("exit-with-parent").start(() -> {
            drain(System.in);
            System.exit(status);
        });
    }

    /** Reads and discards {@code in} until its end; returns early only if reading fails. */
    static void drain(InputStream in) {
        byte[] discard = new byte[256];
        try {
            while (in.read(discard) >= 0) {
                // a parent has nothing to say on this pipe; anything it writes is ignored
            }
        } catch (IOException e) {
            // a broken pipe is a parent gone too
        }
    }
}
