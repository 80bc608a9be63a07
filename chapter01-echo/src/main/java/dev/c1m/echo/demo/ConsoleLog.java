package dev.c1m.echo.demo;

/**
 * Makes {@code java.util.logging}, the default backend of {@link System.Logger}, print one short
 * line per record ({@code INFO TcpServer: connection ... closed}) instead of two long ones. For
 * mains only; call it first, before anything logs.
 */
public final class ConsoleLog {

    private ConsoleLog() {
    }

    public static void oneLinePerRecord() {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
    }
}
