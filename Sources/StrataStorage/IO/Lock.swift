import CStrataSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex with condition variables, for the engine's state that writers wait on
/// (group commit, write stalls, background work). Swift's `Mutex` has no condition variable.
final class Lock: @unchecked Sendable {  // the pthread mutex itself is the synchronization
    let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) func unlock() { pthread_mutex_unlock(mutex) }
    /// Takes the lock if no other thread holds it; false (not taken) otherwise.
    @inline(__always) func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Retries `attempt` while spinning, never sleeping, until it succeeds (true) or about
/// `budgetNanoseconds` have passed (false): for a caller that must not block, waiting out
/// another thread's moment under a lock (a few hundred nanoseconds, usually) rather than handing
/// its work to another thread. A holder that keeps the lock longer (across IO) costs the budget.
@inline(__always)
func spinBriefly(budgetNanoseconds: Int64 = 4_000, _ attempt: () -> Bool) -> Bool {
    if attempt() { return true }
    let deadline = monotonicNanoseconds() + budgetNanoseconds
    repeat {
        for _ in 0..<8 { strata_cpu_relax() }
        if attempt() { return true }
    } while monotonicNanoseconds() < deadline
    return false
}

@inline(__always)
func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// A condition variable bound to a `Lock`.
final class Condition: @unchecked Sendable {  // guarded by the pthread mutex of `lock`
    let lock: Lock
    let cond: UnsafeMutablePointer<pthread_cond_t>

    init(_ lock: Lock) {
        self.lock = lock
        cond = .allocate(capacity: 1)
        cond.initialize(to: pthread_cond_t())
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    /// Waits; the caller holds `lock`.
    func wait() { pthread_cond_wait(cond, lock.mutex) }

    /// Waits at most `seconds`; the caller holds `lock`.
    func wait(seconds: Double) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let total = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + seconds
        var deadline = timespec()
        deadline.tv_sec = Int(total)
        deadline.tv_nsec = Int((total - Double(Int(total))) * 1e9)
        pthread_cond_timedwait(cond, lock.mutex, &deadline)
    }

    func signal() { pthread_cond_signal(cond) }
    func broadcast() { pthread_cond_broadcast(cond) }
}

/// Starts a detached OS thread (never Swift's cooperative pool) running `body`.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
    final class Box: @unchecked Sendable {  // handed to exactly one thread, read once
        let body: @Sendable () -> Void
        let name: String
        init(_ body: @escaping @Sendable () -> Void, _ name: String) { self.body = body; self.name = name }
    }
    let box = Unmanaged.passRetained(Box(body, name)).toOpaque()
    var tid = pthread_t()
    let rc = pthread_create(&tid, nil, { arg in
        let box = Unmanaged<AnyObject>.fromOpaque(arg!).takeRetainedValue() as! Box
        box.body()
        return nil
    }, box)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    pthread_detach(tid)
}
