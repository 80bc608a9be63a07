package dev.c1m.lifecycle;

import java.net.InetSocketAddress;

/** One line of the kernel's socket table: the two ends of a TCP socket and its state. */
public record KernelSocket(InetSocketAddress local, InetSocketAddress remote, TcpState state) {

    @Override
    public String toString() {
        return local.getAddress().getHostAddress() + ":" + local.getPort() + " -> "
                + remote.getAddress().getHostAddress() + ":" + remote.getPort() + " " + state;
    }
}
