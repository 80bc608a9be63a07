package dev.c1m.lifecycle;

/**
 * The states of a TCP connection as the Linux kernel names them, with the hexadecimal code that
 * {@code /proc/net/tcp} prints in its {@code st} column.
 *
 * <p>The path of a connection closed in order, seen from the side that closes first:
 * ESTABLISHED -> FIN_WAIT1 (FIN sent) -> FIN_WAIT2 (FIN acknowledged) -> TIME_WAIT (peer's FIN
 * received) -> gone after 60 s. The other side: ESTABLISHED -> CLOSE_WAIT (FIN received; the
 * application has not closed yet) -> LAST_ACK (it closed) -> gone. CLOSE_WAIT lasts exactly as long
 * as the application keeps the socket open, which is why a growing number of them means a leak.
 */
public enum TcpState {
    ESTABLISHED(0x01),
    SYN_SENT(0x02),
    SYN_RECV(0x03),
    FIN_WAIT1(0x04),
    FIN_WAIT2(0x05),
    TIME_WAIT(0x06),
    CLOSE(0x07),
    CLOSE_WAIT(0x08),
    LAST_ACK(0x09),
    LISTEN(0x0A),
    CLOSING(0x0B),
    NEW_SYN_RECV(0x0C);

    private final int code;

    TcpState(int code) {
        this.code = code;
    }

    /** The state whose kernel code is {@code code}. */
    public static TcpState ofCode(int code) {
        for (TcpState state : values()) {
            if (state.code == code) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown TCP state code 0x" + Integer.toHexString(code));
    }
}
