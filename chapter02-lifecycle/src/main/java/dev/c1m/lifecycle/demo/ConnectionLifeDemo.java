package dev.c1m.lifecycle.demo;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.lifecycle.AbortiveClose;
import dev.c1m.lifecycle.SocketTable;
import dev.c1m.lifecycle.TcpState;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;

/**
 * Walks one connection through its life and prints, at each step, what the kernel's table says
 * about both ends: what {@code ss -tan} would show, without leaving the JVM.
 *
 * <pre>
 * java -cp chapter02-lifecycle/target/classes:chapter01-echo/target/classes \
 *     dev.c1m.lifecycle.demo.ConnectionLifeDemo
 * </pre>
 *
 * Linux only. Each step waits up to a second for the states to settle before printing.
 */
public final class ConnectionLifeDemo {

    private ConnectionLifeDemo() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        if (!SocketTable.isSupported()) {
            System.err.println("error: this demo reads /proc/net/tcp and runs on Linux only");
            System.exit(2);
        }
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            System.out.println("1. Orderly close, client first");
            try (Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
                 Socket server = listener.accept()) {
                Ends ends = new Ends(client.getLocalPort(), server.getLocalPort());
                ends.print("connected", TcpState.ESTABLISHED, TcpState.ESTABLISHED);
                client.close();
                ends.print("client closed (sent FIN)", TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT);
                System.out.println("   the server stays in CLOSE_WAIT until it closes: forget to, and it stays forever");
                server.close();
                ends.print("server closed too", TcpState.TIME_WAIT, null);
                System.out.println("   TIME_WAIT (60 s on Linux) is on the side that closed first: here the client");
            }

            System.out.println("2. Abortive close with SO_LINGER 0");
            try (Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
                 Socket server = listener.accept()) {
                Ends ends = new Ends(client.getLocalPort(), server.getLocalPort());
                ends.print("connected", TcpState.ESTABLISHED, TcpState.ESTABLISHED);
                AbortiveClose.reset(client);
                ends.print("client reset the connection", null, null);
                try {
                    int read = server.getInputStream().read();
                    System.out.println("   server read returned " + read);
                } catch (IOException e) {
                    System.out.println("   server read failed: " + e.getMessage());
                }
                System.out.println("   no TIME_WAIT anywhere: the RST ended the connection on both sides at once");
            }
        }
    }

    /** The two ends of one connection, looked up by their exact port pair. */
    private record Ends(int clientPort, int serverPort) {

        /** Waits up to a second for the expected states (null: gone), then prints what it sees. */
        void print(String step, TcpState client, TcpState server) throws InterruptedException {
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline
                    && !(matches(clientPort, serverPort, client) && matches(serverPort, clientPort, server))) {
                Thread.sleep(5);
            }
            System.out.printf("   %-30s client :%d %-12s server :%d %s%n", step, clientPort,
                    describe(clientPort, serverPort), serverPort, describe(serverPort, clientPort));
        }

        private static boolean matches(int local, int remote, TcpState expected) {
            return SocketTable.stateOf(local, remote).equals(Optional.ofNullable(expected));
        }

        private static String describe(int local, int remote) {
            return SocketTable.stateOf(local, remote).map(Enum::name).orElse("(gone)");
        }
    }
}
