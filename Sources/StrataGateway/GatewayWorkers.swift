#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore

/// The threads a request goes to when its body is complete: the gateway's checks, the operation
/// (when the service answers it synchronously) and the response's encoding run here, never on an
/// event loop, whose threads only read and write sockets.
///
/// One queue, shared by every connection, and a few plain threads (not Swift's cooperative pool,
/// which the operations must not block). A thread takes one job at a time and sleeps only when
/// the queue is empty, so under load requests flow through without a wake-up each. A sleeping
/// thread is woken only when no thread is awake, or when the queue outgrows the awake ones (one
/// is blocked in the engine, or they cannot keep up), and the thread woken is the one that went
/// to sleep last (each has its own condition variable): usually one thread does all the work, on
/// a warm cache, and the others are there for when it blocks.
///
/// A job hands its answer back to its connection's event loop through a `Handback`, which a thread
/// sends on when the queue is empty or `heldAnswers` are waiting, with one `EventLoop.execute` per
/// event loop: an event loop asleep in `epoll_wait` is woken once for several answers.
final class GatewayWorkers: @unchecked Sendable {
    // `mutex` guards `jobs`, `idle`, `woken` and `stopping`.
    typealias Job = @Sendable (inout Handback) -> Void

    /// The process's workers, started on first use and never stopped (as NIO's singleton event
    /// loop group): four threads, or one per core where there are more.
    static let shared = GatewayWorkers(threads: max(4, ProcessInfo.processInfo.activeProcessorCount))

    /// Jobs queued per awake thread before another thread is woken.
    static let backlogPerThread = 16
    /// Answers a thread holds back while the queue is not empty.
    static let heldAnswers = 8

    /// What the jobs run by one thread hand back to event loops, sent together.
    struct Handback {
        /// A task for an event loop. (A struct, not a tuple: a closure inside a tuple in an array is
        /// stored in its most general form, which costs a thunk allocation going in and coming out.)
        fileprivate struct Entry {
            let loop: any EventLoop
            let task: @Sendable () -> Void
        }

        /// In the order given; kept allocated from one sending to the next.
        fileprivate var tasks: [Entry] = []

        fileprivate var count: Int { tasks.count }

        /// Runs `task` on `loop`, after the tasks given before it for that loop.
        mutating func send(to loop: any EventLoop, _ task: @escaping @Sendable () -> Void) {
            tasks.append(Entry(loop: loop, task: task))
        }

        /// One `execute` per event loop: the task itself when it is the loop's only one.
        fileprivate mutating func flush() {
            switch tasks.count {
            case 0:
                return
            case 1:
                tasks[0].loop.execute(tasks[0].task)
            default:
                while let loop = tasks.first?.loop {
                    let own = tasks.filter { $0.loop === loop }.map(\.task)
                    if own.count == 1 {
                        loop.execute(own[0])
                    } else {
                        loop.execute { for task in own { task() } }
                    }
                    tasks.removeAll { $0.loop === loop }  // keeps the capacity
                }
            }
            tasks.removeAll(keepingCapacity: true)
        }
    }

    let threadCount: Int
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// One condition variable per thread, so the thread woken can be chosen.
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    /// A queued job. (A struct, for the reason `Handback.Entry` is one.)
    private struct Queued {
        let job: Job
    }

    private var jobs = CircularBuffer<Queued>(initialCapacity: 256)
    /// Sleeping threads, the one that went to sleep last at the end.
    private var idle: [Int] = []
    /// Per thread: taken off `idle` and signalled, and not yet awake.
    private var woken: [Bool]
    /// Set by `stop()`: the threads finish the queue and exit.
    private var stopping = false

    init(threads: Int) {
        precondition(threads > 0, "a worker pool needs at least one thread")
        threadCount = threads
        woken = Array(repeating: false, count: threads)
        idle.reserveCapacity(threads)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        conditions = .allocate(capacity: threads)
        for index in 0..<threads {
            (conditions + index).initialize(to: pthread_cond_t())
            pthread_cond_init(conditions + index, nil)
        }
        for index in 0..<threads {
            let thread = Thread { [self] in run(index) }
            thread.name = "strata-gw-\(index)"  // Linux keeps 15 characters
            thread.start()
        }
    }

    /// Queues `job`; one of the threads runs it soon. Called on an event loop.
    func submit(_ job: @escaping Job) {
        pthread_mutex_lock(mutex)
        jobs.append(Queued(job: job))
        let wake = threadsToWake()
        pthread_mutex_unlock(mutex)
        for index in wake { pthread_cond_signal(conditions + index) }
    }

    /// The sleeping threads to wake for the jobs queued, taken off `idle`. Under `mutex`.
    private func threadsToWake() -> [Int] {
        var wake: [Int] = []
        while let last = idle.last {
            let awake = threadCount - idle.count
            guard awake == 0 || jobs.count > Self.backlogPerThread * awake else { break }
            idle.removeLast()
            woken[last] = true
            wake.append(last)
        }
        return wake
    }

    /// Lets the threads finish the jobs queued and exit (tests make their own pools); jobs
    /// submitted afterwards never run. The shared pool is never stopped.
    package func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        let sleepers = idle
        for index in sleepers { woken[index] = true }
        idle.removeAll()
        pthread_mutex_unlock(mutex)
        for index in sleepers { pthread_cond_signal(conditions + index) }
    }

    private func run(_ index: Int) {
        var handback = Handback()
        pthread_mutex_lock(mutex)
        while true {
            if jobs.isEmpty && handback.count > 0 {
                pthread_mutex_unlock(mutex)
                handback.flush()
                pthread_mutex_lock(mutex)
                continue
            }
            while jobs.isEmpty {
                if stopping {
                    pthread_mutex_unlock(mutex)
                    return
                }
                idle.append(index)
                woken[index] = false
                while !woken[index] {
                    pthread_cond_wait(conditions + index, mutex)
                }
            }
            let job = jobs.removeFirst().job
            pthread_mutex_unlock(mutex)
            job(&handback)
            if handback.count >= Self.heldAnswers { handback.flush() }
            pthread_mutex_lock(mutex)
        }
    }
}
