package dev.c1m.nio.demo;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;

/**
 * Prints which selector implementation this JDK uses on this machine (epoll on Linux, kqueue on
 * macOS, WEPoll on Windows), and which poller virtual threads use for blocking socket I/O.
 *
 * <pre>
 * java -cp chapter05-nio-epoll/target/classes dev.c1m.nio.demo.SelectorProviderMain
 * </pre>
 */
public final class SelectorProviderMain {

    private SelectorProviderMain() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("os:                " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        System.out.println("java:              " + Runtime.version());
        System.out.println("SelectorProvider:  " + SelectorProvider.provider().getClass().getName());
        try (Selector selector = Selector.open()) {
            System.out.println("Selector:          " + selector.getClass().getName());
        }
        System.out.println("jdk.pollerMode:    " + System.getProperty("jdk.pollerMode", "(default)")
                + "  (virtual threads park on a JDK-internal poller built on the same epoll)");
    }
}
