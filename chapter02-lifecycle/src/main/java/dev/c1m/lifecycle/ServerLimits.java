package dev.c1m.lifecycle;

import dev.c1m.echo.EchoProtocol;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The limits of a {@link LifecycleServer}, as read from a properties file:
 *
 * <pre>
 * idle.timeout.ms   = 30000   # close a connection that sent nothing for this long
 * write.timeout.ms  = 10000   # close a connection whose write stays blocked this long
 * max.line.bytes    = 8192    # longest request line, without its newline
 * shutdown.grace.ms = 10000   # how long shutdown waits for connections to finish
 * </pre>
 *
 * <p>A key left out takes the default above, but a file with no key at all is rejected: it is
 * almost always a file caught between truncation and the write that fills it. An unknown key
 * (usually a typo), a value that is not a whole number, or one outside its range rejects the
 * whole file with a message that names the key, so that a half-valid file never applies half of
 * its values. Immutable.
 */
public record ServerLimits(Duration idleTimeout, Duration writeTimeout, int maxLineBytes, Duration shutdownGrace) {

    public static final String IDLE_TIMEOUT_MS = "idle.timeout.ms";
    public static final String WRITE_TIMEOUT_MS = "write.timeout.ms";
    public static final String MAX_LINE_BYTES = "max.line.bytes";
    public static final String SHUTDOWN_GRACE_MS = "shutdown.grace.ms";

    private static final Set<String> KEYS = Set.of(IDLE_TIMEOUT_MS, WRITE_TIMEOUT_MS, MAX_LINE_BYTES, SHUTDOWN_GRACE_MS);
    private static final long MAX_MILLIS = Duration.ofDays(1).toMillis();

    public ServerLimits {
        requireMillis(IDLE_TIMEOUT_MS, idleTimeout.toMillis(), 1);
        requireMillis(WRITE_TIMEOUT_MS, writeTimeout.toMillis(), 1);
        requireMillis(SHUTDOWN_GRACE_MS, shutdownGrace.toMillis(), 0);
        if (maxLineBytes < 1 || maxLineBytes > 1024 * 1024) {
            throw new IllegalArgumentException(MAX_LINE_BYTES + " must be between 1 and 1048576, got " + maxLineBytes);
        }
    }

    /** 30 s idle, 10 s write, 8 KiB lines, 10 s grace. */
    public static ServerLimits defaults() {
        return new ServerLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), EchoProtocol.DEFAULT_MAX_LINE_BYTES,
                Duration.ofSeconds(10));
    }

    /**
     * Parses the text of a properties file.
     *
     * @throws IllegalArgumentException naming the first offending key
     */
    public static ServerLimits parse(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a properties file: " + e.getMessage());
        }
        if (properties.isEmpty()) {
            throw new IllegalArgumentException("no settings in it (an empty file is usually one still being written)");
        }
        Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown key(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS));
        }
        ServerLimits defaults = defaults();
        return new ServerLimits(
                Duration.ofMillis(number(properties, IDLE_TIMEOUT_MS, defaults.idleTimeout.toMillis())),
                Duration.ofMillis(number(properties, WRITE_TIMEOUT_MS, defaults.writeTimeout.toMillis())),
                Math.toIntExact(number(properties, MAX_LINE_BYTES, defaults.maxLineBytes)),
                Duration.ofMillis(number(properties, SHUTDOWN_GRACE_MS, defaults.shutdownGrace.toMillis())));
    }

    /** The file text that {@link #parse} turns back into these limits. */
    public String toProperties() {
        return IDLE_TIMEOUT_MS + "=" + idleTimeout.toMillis() + "\n"
                + WRITE_TIMEOUT_MS + "=" + writeTimeout.toMillis() + "\n"
                + MAX_LINE_BYTES + "=" + maxLineBytes + "\n"
                + SHUTDOWN_GRACE_MS + "=" + shutdownGrace.toMillis() + "\n";
    }

    @Override
    public String toString() {
        return "idle " + idleTimeout.toMillis() + " ms, write " + writeTimeout.toMillis() + " ms, lines <= "
                + maxLineBytes + " bytes, grace " + shutdownGrace.toMillis() + " ms";
    }

    private static long number(Properties properties, String key, long defaultValue) {
        String text = properties.getProperty(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + text.strip() + "'");
        }
    }

    private static void requireMillis(String key, long millis, long min) {
        if (millis < min || millis > MAX_MILLIS) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + MAX_MILLIS + ", got " + millis);
        }
    }
}
