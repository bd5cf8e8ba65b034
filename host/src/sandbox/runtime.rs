//! The engine, the epoch ticker and the pool of instances that every call
//! runs on.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::SystemTime;

use rand_core::{OsRng, RngCore};
use wasmtime::component::{Linker, ResourceAny};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

use super::bindings::wasi::clocks::wall_clock;
use super::bindings::wasi::random::random;
use super::bindings::{GuardModule, GuardModulePre};
use super::cache::{self, ModuleSource};
use super::limits::{HostConfig, Limits, EPOCH_TICK};
use super::HostError;

/// The data of a store besides the instance: its limiter and its limits.
pub(crate) struct WorkerState {
    limiter: MemoryLimiter,
    max_random_bytes: u64,
}

/// Caps linear memory growth and records that the cap was hit, so that the
/// resulting trap is reported as [`HostError::MemoryLimit`].
struct MemoryLimiter {
    max_memory_bytes: usize,
    exceeded: bool,
}

/// The error a failed `memory.grow` traps with.
#[derive(Debug, thiserror::Error)]
#[error("memory limit exceeded")]
struct MemoryLimitExceeded;

/// Largest table a guest may grow to, in elements.
const MAX_TABLE_ELEMENTS: usize = 100_000;

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory_bytes {
            self.exceeded = true;
            // Trapping here, instead of returning `false`, stops a guest
            // that would otherwise retry or loop on the failed allocation.
            return Err(wasmtime::Error::new(MemoryLimitExceeded));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

impl wall_clock::Host for WorkerState {
    fn now(&mut self) -> wall_clock::Datetime {
        let elapsed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        wall_clock::Datetime {
            seconds: elapsed.as_secs(),
            nanoseconds: elapsed.subsec_nanos(),
        }
    }

    fn resolution(&mut self) -> wall_clock::Datetime {
        wall_clock::Datetime {
            seconds: 0,
            nanoseconds: 1,
        }
    }
}

/// The error a `wasi:random` call traps with.
#[derive(Debug, thiserror::Error)]
#[error("random bytes unavailable: {0}")]
struct RandomError(String);

impl random::Host for WorkerState {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > self.max_random_bytes {
            return Err(wasmtime::Error::new(RandomError(format!(
                "request for `{len}` bytes is over the limit of `{}`",
                self.max_random_bytes
            ))));
        }
        let mut bytes = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|error| wasmtime::Error::new(RandomError(error.to_string())))?;
        Ok(bytes)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        let mut bytes = [0u8; 8];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|error| wasmtime::Error::new(RandomError(error.to_string())))?;
        Ok(u64::from_le_bytes(bytes))
    }
}

/// A guest resource created in one instance on behalf of a host object.
struct CachedResource {
    resource: ResourceAny,
    /// The host object's state revision the resource reflects.
    revision: u64,
    /// Alive while the host object is.
    owner: Weak<()>,
}

/// One store with its instance and the guest resources made in it.
pub(crate) struct Worker {
    /// Unique for the runtime's lifetime, so a discarded instance's id is
    /// never reused.
    pub(crate) id: u64,
    pub(crate) store: Store<WorkerState>,
    pub(crate) guest: GuardModule,
    resources: HashMap<u64, CachedResource>,
    /// The value of `Runtime::drops` when this worker last freed resources.
    drops_seen: u64,
}

impl Worker {
    /// Returns the resource for host object `id` at `revision`, creating it
    /// with `create` when this instance has none or an older one.
    pub(crate) fn resource(
        &mut self,
        id: u64,
        revision: u64,
        owner: &Arc<()>,
        create: impl FnOnce(&mut Self) -> wasmtime::Result<Result<ResourceAny, HostError>>,
    ) -> wasmtime::Result<Result<ResourceAny, HostError>> {
        if let Some(cached) = self.resources.get(&id) {
            if cached.revision == revision {
                return Ok(Ok(cached.resource));
            }
        }
        if let Some(stale) = self.resources.remove(&id) {
            stale.resource.resource_drop(&mut self.store)?;
        }
        let resource = match create(self)? {
            Ok(resource) => resource,
            Err(error) => return Ok(Err(error)),
        };
        self.remember(id, revision, owner, resource);
        Ok(Ok(resource))
    }

    /// Records `resource` as the state of host object `id` at `revision`.
    pub(crate) fn remember(
        &mut self,
        id: u64,
        revision: u64,
        owner: &Arc<()>,
        resource: ResourceAny,
    ) {
        self.resources.insert(
            id,
            CachedResource {
                resource,
                revision,
                owner: Arc::downgrade(owner),
            },
        );
    }

    /// Returns the resource of host object `id`, if this instance has one.
    pub(crate) fn cached(&self, id: u64) -> Option<ResourceAny> {
        self.resources.get(&id).map(|cached| cached.resource)
    }

    /// Drops the resource of host object `id`, if this instance has one.
    pub(crate) fn forget(&mut self, id: u64) -> wasmtime::Result<()> {
        if let Some(cached) = self.resources.remove(&id) {
            cached.resource.resource_drop(&mut self.store)?;
        }
        Ok(())
    }

    /// Drops the guest resources of host objects that no longer exist.
    fn free_orphans(&mut self) -> wasmtime::Result<()> {
        let orphans: Vec<u64> = self
            .resources
            .iter()
            .filter(|(_, cached)| cached.owner.strong_count() == 0)
            .map(|(id, _)| *id)
            .collect();
        for id in orphans {
            if let Some(cached) = self.resources.remove(&id) {
                cached.resource.resource_drop(&mut self.store)?;
            }
        }
        Ok(())
    }
}

/// Instances not in use, how many exist in all, and how many calls wait
/// for one.
struct PoolState {
    /// Boxed, because a `Worker` with its bindings is over a kilobyte, and
    /// each call moves it out of the pool and back: unboxed, the copies
    /// were a tenth of a warm call's time.
    #[allow(clippy::vec_box)]
    idle: Vec<Box<Worker>>,
    alive: u32,
    /// Ids of the instances that exist, idle or in use.
    live: HashSet<u64>,
    /// Number of threads blocked in `checkout` or `checkout_instance`.
    /// Notifying the condition variable makes a futex system call even when
    /// no thread waits, and that call cost more than the rest of a warm
    /// call's pool handling, so a returning instance notifies only when
    /// this is not zero.
    waiting: u32,
}

/// The compiled module, its engine and the pool of instances.
pub(crate) struct Runtime {
    engine: Engine,
    pre: GuardModulePre<WorkerState>,
    limits: Limits,
    max_instances: u32,
    pool: Mutex<PoolState>,
    returned: Condvar,
    next_id: AtomicU64,
    next_worker_id: AtomicU64,
    /// Counts dropped host objects, so workers know when to free resources.
    drops: AtomicU64,
    source: ModuleSource,
    ticker: EpochTicker,
}

impl Runtime {
    /// Compiles (or reads from the cache) and links `module`.
    pub(crate) fn new(module: &[u8], config: &HostConfig) -> Result<Self, HostError> {
        let engine = build_engine(config)?;
        let (component, source) =
            cache::load_component(&engine, module, config.cache_dir.as_deref())?;

        let mut linker = Linker::<WorkerState>::new(&engine);
        GuardModule::add_to_linker::<WorkerState, wasmtime::component::HasSelf<WorkerState>>(
            &mut linker,
            |state| state,
        )
        .map_err(|error| load_error("failed to link the host's imports", &error))?;
        let instance_pre = linker
            .instantiate_pre(&component)
            .map_err(|error| load_error("the module's imports do not match the world", &error))?;
        let pre = GuardModulePre::new(instance_pre)
            .map_err(|error| load_error("the module's exports do not match the world", &error))?;

        let ticker = EpochTicker::start(engine.clone())?;
        Ok(Self {
            engine,
            pre,
            limits: config.limits.clone(),
            max_instances: config.max_instances.max(1),
            pool: Mutex::new(PoolState {
                idle: Vec::new(),
                alive: 0,
                live: HashSet::new(),
                waiting: 0,
            }),
            returned: Condvar::new(),
            next_id: AtomicU64::new(1),
            next_worker_id: AtomicU64::new(1),
            drops: AtomicU64::new(0),
            source,
            ticker,
        })
    }

    pub(crate) fn source(&self) -> ModuleSource {
        self.source
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A fresh id for a host object.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Notes that a host object was dropped.
    pub(crate) fn note_drop(&self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs `op` on an instance under the per-call limits.
    ///
    /// A wasmtime error (trap, limit, invalid guest value) discards the
    /// instance, because its state is unknown, and is mapped to the
    /// matching [`HostError`]. The next call gets another instance.
    ///
    /// # Errors
    ///
    /// The error `op` returns, or the mapped wasmtime error.
    pub(crate) fn call<R>(
        &self,
        op: impl FnOnce(&mut Worker) -> wasmtime::Result<Result<R, HostError>>,
    ) -> Result<R, HostError> {
        let worker = self.checkout()?;
        self.run(worker, op)
    }

    /// Runs `op` like [`Runtime::call`], but on instance `worker_id` only,
    /// waiting while another call uses it.
    ///
    /// # Errors
    ///
    /// [`HostError::StreamLost`] when that instance was discarded, and the
    /// errors of [`Runtime::call`].
    pub(crate) fn call_on<R>(
        &self,
        worker_id: u64,
        op: impl FnOnce(&mut Worker) -> wasmtime::Result<Result<R, HostError>>,
    ) -> Result<R, HostError> {
        let worker = self.checkout_instance(worker_id)?;
        self.run(worker, op)
    }

    fn run<R>(
        &self,
        mut worker: Box<Worker>,
        op: impl FnOnce(&mut Worker) -> wasmtime::Result<Result<R, HostError>>,
    ) -> Result<R, HostError> {
        if let Err(error) = self.arm(&mut worker) {
            let mapped = self.classify(&worker, error);
            self.discard(worker);
            return Err(mapped);
        }
        match op(&mut worker) {
            Ok(result) => {
                self.checkin(worker);
                result
            }
            Err(error) => {
                let mapped = self.classify(&worker, error);
                tracing::warn!(error = %mapped, "discarding a guest instance after a failed call");
                self.discard(worker);
                Err(mapped)
            }
        }
    }

    /// Sets the deadline, fuel and memory flag for one call, and frees
    /// resources of dropped host objects.
    fn arm(&self, worker: &mut Worker) -> wasmtime::Result<()> {
        let drops = self.drops.load(Ordering::Relaxed);
        if drops != worker.drops_seen {
            worker.free_orphans()?;
            worker.drops_seen = drops;
        }
        worker.store.data_mut().limiter.exceeded = false;
        worker
            .store
            .set_epoch_deadline(deadline_ticks(&self.limits));
        if let Some(fuel) = self.limits.fuel {
            worker.store.set_fuel(fuel)?;
        }
        Ok(())
    }

    fn classify(&self, worker: &Worker, error: wasmtime::Error) -> HostError {
        if worker.store.data().limiter.exceeded
            || error.downcast_ref::<MemoryLimitExceeded>().is_some()
        {
            return HostError::MemoryLimit {
                limit: self.limits.max_memory_bytes,
            };
        }
        match error.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::Interrupt) => HostError::Timeout {
                deadline: self.limits.deadline,
            },
            Some(wasmtime::Trap::OutOfFuel) => HostError::OutOfFuel {
                fuel: self.limits.fuel.unwrap_or(0),
            },
            Some(trap) => HostError::Trap {
                reason: trap.to_string(),
            },
            None if error.downcast_ref::<RandomError>().is_some() => HostError::Trap {
                reason: format!("{error}"),
            },
            None => HostError::InvalidGuestValue {
                reason: format!("{error:#}"),
            },
        }
    }

    fn checkout(&self) -> Result<Box<Worker>, HostError> {
        let mut pool = self.lock_pool()?;
        loop {
            if let Some(worker) = pool.idle.pop() {
                return Ok(worker);
            }
            if pool.alive < self.max_instances {
                pool.alive += 1;
                drop(pool);
                let worker = self.instantiate().inspect_err(|_| self.release_slot())?;
                self.lock_pool()?.live.insert(worker.id);
                return Ok(worker);
            }
            pool.waiting += 1;
            pool = self.returned.wait(pool).map_err(|_| poisoned())?;
            pool.waiting -= 1;
        }
    }

    /// Takes instance `id` from the idle list, waiting while it is in use.
    fn checkout_instance(&self, id: u64) -> Result<Box<Worker>, HostError> {
        let mut pool = self.lock_pool()?;
        loop {
            if let Some(index) = pool.idle.iter().position(|worker| worker.id == id) {
                return Ok(pool.idle.swap_remove(index));
            }
            if !pool.live.contains(&id) {
                return Err(HostError::StreamLost);
            }
            pool.waiting += 1;
            pool = self.returned.wait(pool).map_err(|_| poisoned())?;
            pool.waiting -= 1;
        }
    }

    fn instantiate(&self) -> Result<Box<Worker>, HostError> {
        let state = WorkerState {
            limiter: MemoryLimiter {
                max_memory_bytes: self.limits.max_memory_bytes,
                exceeded: false,
            },
            max_random_bytes: self.limits.max_random_bytes,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(deadline_ticks(&self.limits));
        if let Some(fuel) = self.limits.fuel {
            store
                .set_fuel(fuel)
                .map_err(|error| load_error("failed to set fuel", &error))?;
        }
        let guest = self
            .pre
            .instantiate(&mut store)
            .map_err(|error| load_error("failed to instantiate the module", &error))?;
        Ok(Box::new(Worker {
            id: self.next_worker_id.fetch_add(1, Ordering::Relaxed),
            store,
            guest,
            resources: HashMap::new(),
            drops_seen: self.drops.load(Ordering::Relaxed),
        }))
    }

    // Both wake every waiter, because a waiter for one pinned instance
    // must not swallow the wake-up that another waiter needs. With no
    // waiter they skip the notification, whose futex call cost more than
    // the rest of a warm call's pool handling.
    fn checkin(&self, worker: Box<Worker>) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.idle.push(worker);
            if pool.waiting > 0 {
                self.returned.notify_all();
            }
        }
    }

    fn discard(&self, worker: Box<Worker>) {
        let id = worker.id;
        drop(worker);
        if let Ok(mut pool) = self.pool.lock() {
            pool.live.remove(&id);
        }
        self.release_slot();
    }

    fn release_slot(&self) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.alive = pool.alive.saturating_sub(1);
            if pool.waiting > 0 {
                self.returned.notify_all();
            }
        }
    }

    fn lock_pool(&self) -> Result<MutexGuard<'_, PoolState>, HostError> {
        self.pool.lock().map_err(|_| poisoned())
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker.stop();
    }
}

fn build_engine(config: &HostConfig) -> Result<Engine, HostError> {
    let mut settings = Config::new();
    settings.wasm_component_model(true);
    settings.epoch_interruption(true);
    settings.consume_fuel(config.limits.fuel.is_some());
    if config.pooling {
        let instances = config.max_instances.max(1);
        let mut pooling = PoolingAllocationConfig::default();
        pooling
            .total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(8))
            .total_memories(instances.saturating_mul(2))
            .total_tables(instances.saturating_mul(4))
            .max_memory_size(config.limits.max_memory_bytes);
        settings.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    }
    Engine::new(&settings).map_err(|error| load_error("failed to configure the engine", &error))
}

/// The epoch deadline in ticks: the deadline rounded up, plus one tick,
/// because the first increment may come at once.
fn deadline_ticks(limits: &Limits) -> u64 {
    let tick = EPOCH_TICK.as_nanos().max(1);
    let ticks = limits.deadline.as_nanos().div_ceil(tick);
    u64::try_from(ticks).unwrap_or(u64::MAX).saturating_add(1)
}

/// A thread that increments the engine's epoch every [`EPOCH_TICK`].
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Result<Self, HostError> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name(String::from("mem8-guard-epoch"))
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .map_err(|error| HostError::Load {
                reason: format!("failed to start the epoch thread: {error}"),
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn load_error(what: &str, error: &wasmtime::Error) -> HostError {
    HostError::Load {
        reason: format!("{what}: {error:#}"),
    }
}

fn poisoned() -> HostError {
    HostError::Internal {
        reason: String::from("instance pool lock poisoned by a panic in another thread"),
    }
}
