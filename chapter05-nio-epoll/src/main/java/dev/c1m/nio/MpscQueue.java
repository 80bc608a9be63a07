package dev.c1m.nio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An unbounded multi-producer, single-consumer FIFO queue without locks: how work crosses into a
 * {@link Reactor} thread (new connections, tasks, close requests).
 *
 * <p>The algorithm is Dmitry Vyukov's intrusive MPSC queue. The queue is a singly linked list
 * with a dummy node at its head. A producer appends in two steps:
 * <pre>
 *   prev = tail.getAndSet(node)    // 1. claim the last position: one atomic exchange
 *   prev.next = node               // 2. link it (a release store: publishes the node's value)
 * </pre>
 * Step 1 is the only contended operation. It is an atomic read-modify-write, like a CAS, but it
 * cannot fail, so producers never retry: a CAS loop ({@code compareAndSet(t, node)} until it
 * succeeds) would make every producer that lost the race go round again, which is exactly the
 * contention this queue exists to avoid. Between steps 1 and 2 the list is briefly broken: the
 * consumer may see {@code next == null} although the tail has moved, and reports the queue empty
 * for that moment. That is harmless for a reactor: the producer finishes step 2 and then decides
 * whether to wake the reactor (see {@link Reactor#execute}).
 *
 * <p>Threads: {@link #offer} from any number of threads; {@link #poll} and {@link #isEmpty} only
 * from the single consumer thread (not checked here; {@link Reactor} asserts it). Ordering: the
 * elements of one producer come out in the order that producer offered them. Not handled: a
 * capacity bound (producers that outrun the consumer grow the queue without limit; chapter 6
 * bounds what may be submitted), and {@code size()}, which no reactor needs.
 */
public final class MpscQueue<E> {

    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(MpscQueue.class, "tail", Node.class);
            NEXT = lookup.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final class Node<E> {
        E value;
        @SuppressWarnings("unused") // accessed through NEXT
        volatile Node<E> next;

        Node(E value) {
            this.value = value;
        }
    }

    /** The dummy node: its {@code next} is the oldest element. Touched only by the consumer. */
    private Node<E> head;
    /** The newest node. Swapped by producers through TAIL. */
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile Node<E> tail;

    public MpscQueue() {
        Node<E> dummy = new Node<>(null);
        head = dummy;
        tail = dummy;
    }

    /** Appends {@code value}; wait-free, callable from any thread. */
    public void offer(E value) {
        if (value == null) {
            throw new NullPointerException("MpscQueue does not hold null");
        }
        Node<E> node = new Node<>(value);
        @SuppressWarnings("unchecked")
        Node<E> previous = (Node<E>) TAIL.getAndSet(this, node);
        NEXT.setRelease(previous, node);
    }

    /** Removes and returns the oldest element, or null if none is (fully) linked yet. Consumer only. */
    public E poll() {
        Node<E> next = head.next;
        if (next == null) {
            return null;
        }
        E value = next.value;
        next.value = null; // the node becomes the new dummy; do not keep the element reachable
        head = next;
        return value;
    }

    /** Whether {@link #poll} would return null right now. Consumer only. */
    public boolean isEmpty() {
        return head.next == null;
    }
}
