package dev.c1m.echo;

import java.io.IOException;

/** A peer sent a line longer than the reader's limit; the connection cannot be trusted further. */
public final class LineTooLongException extends IOException {

    public LineTooLongException(int maxLineBytes) {
        super("line longer than " + maxLineBytes + " bytes");
    }
}
