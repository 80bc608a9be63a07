package dev.c1m.tuning.bench;

import dev.c1m.tuning.ExitWithParent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The peer of {@link KeepaliveDetection}, run in a child JVM so that it can be killed or frozen
 * (SIGSTOP) on its own: accepts connections on a free loopback port, writes {@code hello} on each
 * and then holds it open without reading or writing anything more, until the process ends.
 *
 * <pre>
 * listening on PORT
 * </pre>
 * Single-threaded: the main thread accepts and owns every socket.
 */
public final class SilentPeer {

    private SilentPeer() {
    }

    public static void main(String[] args) throws IOException {
        ExitWithParent.whenStandardInputEnds(1); // a child of KeepaliveDetection only: no orphan if it is killed
        List<Socket> held = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            System.out.println("listening on " + listener.getLocalPort());
            while (true) {
                Socket socket = listener.accept();
                socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                held.add(socket); // never read, never closed: only the kernel answers for it from now on
            }
        }
    }
}
