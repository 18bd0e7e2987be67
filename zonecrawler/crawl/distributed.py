"""Distributed crawling: N ``scrapy crawl`` processes sharing one Redis request queue and seen-set.

Switched on by ``ZONECRAWLER_REDIS_URL`` (environment variable, or the Scrapy setting of the
same name, e.g. ``-s ZONECRAWLER_REDIS_URL=redis://127.0.0.1:6379/0``).  Without it nothing
here is used and the crawl is the ordinary single-process one.

Built on scrapy-redis 0.9.1 (its ``Scheduler``, ``PriorityQueue`` and ``RFPDupeFilter``), with
these additions, all in this module:

* **start shim** — scrapy-redis's ``RedisSpider`` seeds through ``start_requests()``, which
  Scrapy >= 2.13 no longer drives the way it expects; our spiders keep their own
  ``async def start()`` and, in distributed mode, delegate to :meth:`Coordinator.start`.  The
  first process of a *round* (``SET zonecrawler:<spider>:round NX``) pushes the site's config
  start URLs to ``zonecrawler:<spider>:start_urls`` (JSON ``{"url": ..., "meta": ...}``); every
  process then pops that key, so users may push more start URLs at any time.
* **no lost requests** — popping a request moves it atomically (Lua) from the shared queue
  into the popping worker's in-flight hash ``zonecrawler:<spider>:inflight:<worker>``.  It is
  removed ("acked") only after Scrapy has completely finished with it (its item written, its
  follow-up requests enqueued in Redis).  Each worker refreshes a heartbeat key with a TTL; any
  worker (a survivor, or a restart) moves the in-flight entries of a worker whose heartbeat
  expired back into the shared queue.
* **no duplicate records** — ids of written records go into ``zonecrawler:<spider>:emitted``
  right after the feed line is written (local feeds are unbuffered, see :mod:`zonecrawler.crawl.feeds`:
  a line is in ``NAME.part`` before its id is marked), and
  :class:`EmittedFilterPipeline` drops a record whose id is already there, so re-done work after
  a crash does not write a record twice.
* **Redis outages** — every Redis call goes through :meth:`Coordinator.call`, which retries
  connection errors and timeouts with backoff (up to ``ZONECRAWLER_REDIS_OUTAGE_TIMEOUT`` seconds
  per outage) instead of dropping the record, the follow-up request or the ack it was about.
  While Redis is away the worker waits; when it comes back the worker beats at once and, for
  one heartbeat TTL, re-queues nobody (the other workers' heartbeats expired during the outage
  too).  When Redis stays away the worker gives up: it acknowledges nothing more, drops the
  records it cannot check (their requests stay in its in-flight hash, re-done by the next worker
  once Redis is back) and closes with reason ``redis_unavailable``, a failure in the health summary.
* **bounded idle close** — a worker closes once the shared queue and start-URL key are empty and
  no live worker holds in-flight requests, continuously for ``ZONECRAWLER_REDIS_IDLE_CLOSE``
  seconds.  The last workers then end the round (list-page seen-set cleared, see below).

Seen-sets: article requests are remembered in ``zonecrawler:<spider>:dupefilter`` across rounds
(the cross-run memory of a distributed deployment: an article is fetched once, ever, until the
key is deleted); list pages are remembered in ``zonecrawler:<spider>:dupefilter:lists`` only for
the current round, so the next round walks the lists again to find new articles.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
import weakref
from collections import deque
from typing import Any, AsyncIterator, Iterable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, DropItem
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

ENV_REDIS_URL = "ZONECRAWLER_REDIS_URL"
KEY_PREFIX = "zonecrawler"

# Defaults of the settings this module reads (all overridable with -s NAME=VALUE).
DEFAULTS = {
    "ZONECRAWLER_REDIS_IDLE_CLOSE": 10.0,  # seconds of global quiescence before a worker closes
    "ZONECRAWLER_REDIS_HEARTBEAT_TTL": 15.0,  # a worker silent this long is dead; its work is re-queued
    "ZONECRAWLER_REDIS_SEED": True,  # the round's first worker pushes the site config's start URLs
    "ZONECRAWLER_REDIS_WORKER_ID": None,  # default: <hostname>-<pid>-<random>
    "ZONECRAWLER_REDIS_OUTAGE_TIMEOUT": 60.0,  # retry Redis this long per outage, then close as a failure
}
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)  # also BusyLoadingError (a restart loading its data)
CLOSE_REASON = "redis_unavailable"


class RedisUnavailable(Exception):
    """Redis stayed away longer than ``ZONECRAWLER_REDIS_OUTAGE_TIMEOUT``: the worker is closing."""


def redis_url(settings) -> str | None:
    """The Redis URL distributed mode uses, or None when distributed mode is off."""
    return settings.get("ZONECRAWLER_REDIS_URL") or os.environ.get(ENV_REDIS_URL) or None


def update_settings(settings) -> bool:
    """Switch a crawler's (not yet frozen) settings to distributed mode when a Redis URL is configured.

    Called from the spiders' ``update_settings``. Returns whether distributed mode is on.
    """
    url = redis_url(settings)
    if not url:
        return False
    prio = "spider"
    settings.set("ZONECRAWLER_REDIS_URL", url, priority=prio)
    settings.set("REDIS_URL", url, priority=prio)
    settings.set("SCHEDULER", f"{__name__}.DistributedScheduler", priority=prio)
    settings.set("SCHEDULER_QUEUE_CLASS", f"{__name__}.InflightPriorityQueue", priority=prio)
    settings.set("SCHEDULER_QUEUE_KEY", KEY_PREFIX + ":%(spider)s:requests", priority=prio)
    settings.set("DUPEFILTER_CLASS", f"{__name__}.KindAwareDupeFilter", priority=prio)
    settings.set("SCHEDULER_DUPEFILTER_KEY", KEY_PREFIX + ":%(spider)s:dupefilter", priority=prio)
    # Several workers share the queue: none may clear it when it finishes.
    settings.set("SCHEDULER_PERSIST", True, priority=prio)
    settings.set("SCHEDULER_FLUSH_ON_START", False, priority=prio)
    settings.set("TELNETCONSOLE_ENABLED", False, priority=prio)
    for name, value in DEFAULTS.items():
        if settings.get(name) is None and value is not None:
            settings.set(name, value, priority="default")
    if not settings.get("ZONECRAWLER_REDIS_WORKER_ID"):
        worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        settings.set("ZONECRAWLER_REDIS_WORKER_ID", worker, priority=prio)
    # The whole dict at spider priority: Scrapy 2.19's runner re-applies its (project-priority)
    # settings to the crawler after update_settings, which would replace a per-key addition.
    pipelines = settings.getdict("ITEM_PIPELINES")
    pipelines[f"{__name__}.EmittedFilterPipeline"] = 250  # before the incremental ledger sees it
    settings.set("ITEM_PIPELINES", pipelines, priority=prio)
    return True


class Keys:
    """Redis key names of one spider's distributed crawl."""

    def __init__(self, spider_name: str):
        base = f"{KEY_PREFIX}:{spider_name}"
        self.base = base
        self.queue = f"{base}:requests"
        self.dupefilter = f"{base}:dupefilter"
        self.list_dupefilter = f"{base}:dupefilter:lists"
        self.start_urls = f"{base}:start_urls"
        self.round = f"{base}:round"
        self.workers = f"{base}:workers"
        self.counter = f"{base}:inflight-counter"
        self.emitted = f"{base}:emitted"

    def inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def heartbeat(self, worker: str) -> str:
        return f"{self.base}:heartbeat:{worker}"


# Move the best request of the queue into a worker's in-flight hash. The field is
# "<score>:<n>" so a re-queue restores the priority; start-URL entries use "s:<n>".
_POP_REQUEST = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local field = r[2] .. ':' .. redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], field, r[1])
return {field, r[1]}
"""

_POP_START_URL = """
local v = redis.call('LPOP', KEYS[1])
if not v then return false end
local field = 's:' .. redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], field, v)
return {field, v}
"""

# Re-queue the in-flight work of a worker whose heartbeat expired; -1 while it is alive.
_REQUEUE_DEAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local kv = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #kv, 2 do
  local field = kv[i]
  if string.sub(field, 1, 2) == 's:' then
    redis.call('LPUSH', KEYS[4], kv[i + 1])
  else
    redis.call('ZADD', KEYS[3], string.match(field, '^(.*):%d+$'), kv[i + 1])
  end
  n = n + 1
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[5], ARGV[1])
return n
"""


# Mark a request seen and queue it in one step. Two separate calls (scrapy-redis's SADD, then
# ZADD) lose the request for good when a process is killed between them: seen, never queued.
_ENQUEUE = """
if ARGV[1] == '1' and redis.call('SADD', KEYS[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
"""


class InflightPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue, but a pop parks the request in the worker's in-flight hash."""

    coordinator: "Coordinator | None" = None

    def pop(self, timeout=0):
        coordinator = self.coordinator
        if coordinator is None:  # not opened through DistributedScheduler
            return super().pop(timeout)
        try:
            got = coordinator.call("pop a request", coordinator.pop_script,
                                   keys=[self.key, coordinator.inflight_key, coordinator.keys.counter])
        except RedisUnavailable:
            return None
        if not got:
            return None
        field, data = got
        request = self._decode_request(data)
        coordinator.track(request, field)
        return request

    def __len__(self):
        coordinator = self.coordinator
        if coordinator is None:
            return super().__len__()
        try:
            return coordinator.call("queue length", self.server.zcard, self.key)
        except RedisUnavailable:
            return 0


class KindAwareDupeFilter(RFPDupeFilter):
    """Shared seen-set: article requests in the persistent key, list pages in a per-round key."""

    list_key: str | None = None

    @classmethod
    def from_spider(cls, spider):
        df = super().from_spider(spider)
        df.list_key = Keys(spider.name).list_dupefilter
        return df

    def seen_key(self, request) -> str:
        """The Redis set that holds this request's fingerprint once it is seen."""
        if self.list_key and request.meta.get("zc_kind") == "list":
            return self.list_key
        return self.key

    def request_seen(self, request) -> bool:
        return self.server.sadd(self.seen_key(request), self.request_fingerprint(request)) == 0


class DistributedScheduler(Scheduler):
    """scrapy-redis's scheduler plus the :class:`Coordinator` (heartbeat, recovery, idle close)."""

    coordinator: "Coordinator"

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.coordinator = Coordinator(crawler, scheduler.server)
        return scheduler

    def open(self, spider):
        result = super().open(spider)
        self.coordinator.open(spider)
        self.queue.coordinator = self.coordinator
        self._enqueue_script = self.server.register_script(_ENQUEUE)
        return result

    def enqueue_request(self, request):
        """Mark the request seen and queue it atomically (one Lua script), unless it was seen already.

        Also drops the ``spider=`` argument scrapy-redis 0.9.1 still passes to
        ``StatsCollector.inc_value`` (deprecated in Scrapy 2.19).
        """
        if isinstance(self.queue, PriorityQueue) and isinstance(self.df, KindAwareDupeFilter):
            try:
                queued = self.coordinator.call(
                    "queue a request", self._enqueue_script,
                    keys=[self.df.seen_key(request), self.queue.key],
                    args=[0 if request.dont_filter else 1, self.df.request_fingerprint(request), -request.priority,
                          self.queue._encode_request(request)],
                )
            except RedisUnavailable:
                # Not queued and not marked seen; the request that led here is never acked, so the
                # next worker re-does it and finds this one again.
                logger.warning("Redis unavailable, not queued (its parent stays in flight): %s", request.url)
                return False
        else:  # another queue or dupefilter configured by hand: scrapy-redis's two steps
            queued = request.dont_filter or not self.df.request_seen(request)
            if queued:
                self.queue.push(request)
        if not queued:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


_COORDINATORS: "weakref.WeakKeyDictionary[Any, Coordinator]" = weakref.WeakKeyDictionary()


def coordinator_for(crawler) -> "Coordinator | None":
    """The running crawler's coordinator, or None when it does not crawl in distributed mode."""
    return _COORDINATORS.get(crawler)


class Coordinator:
    """One worker's part of the shared crawl: start URLs, heartbeat, acks, recovery, idle close."""

    def __init__(self, crawler, server):
        self.crawler = crawler
        self.server = server
        settings = crawler.settings
        self.worker = settings.get("ZONECRAWLER_REDIS_WORKER_ID") or f"{socket.gethostname()}-{os.getpid()}"
        self.idle_close = settings.getfloat("ZONECRAWLER_REDIS_IDLE_CLOSE", DEFAULTS["ZONECRAWLER_REDIS_IDLE_CLOSE"])
        self.ttl = settings.getfloat("ZONECRAWLER_REDIS_HEARTBEAT_TTL", DEFAULTS["ZONECRAWLER_REDIS_HEARTBEAT_TTL"])
        self.seed = settings.getbool("ZONECRAWLER_REDIS_SEED", True)
        self.outage_timeout = settings.getfloat("ZONECRAWLER_REDIS_OUTAGE_TIMEOUT",
                                                DEFAULTS["ZONECRAWLER_REDIS_OUTAGE_TIMEOUT"])
        self.failed: str | None = None  # why the worker gave up on Redis
        self._down_since: float | None = None
        self._back_at: float | None = None  # when Redis answered again after an outage
        self.pop_script = server.register_script(_POP_REQUEST)
        self.pop_start_script = server.register_script(_POP_START_URL)
        self.requeue_script = server.register_script(_REQUEUE_DEAD)
        self.keys: Keys | None = None
        self.spider = None
        self._acks: deque = deque()  # in-flight fields whose request Scrapy has finished with
        self._quiet_since: float | None = None
        self._loop = None
        _COORDINATORS[crawler] = self
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # Connected after the feed exporter's handler (extensions are built before the
        # scheduler), so the record's line is on disk when its id is marked emitted.
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    # --- talking to Redis ---------------------------------------------------
    def call(self, what: str, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``, retried with backoff while Redis is unreachable.

        Blocks the worker during an outage (it can do nothing useful without the shared queue).
        Raises :class:`RedisUnavailable` once the outage lasts ``ZONECRAWLER_REDIS_OUTAGE_TIMEOUT``
        seconds, and at once after that.
        """
        if self.failed:
            raise RedisUnavailable(self.failed)
        delay = 0.05
        while True:
            try:
                result = fn(*args, **kwargs)
            except REDIS_DOWN as exc:
                now = time.monotonic()
                if self._down_since is None:
                    self._down_since = now
                    self.crawler.stats.inc_value("zonecrawler/distributed/redis_outages")
                    logger.warning("Redis unreachable (%s: %s); retrying for up to %.0fs, nothing is dropped "
                                   "or acknowledged meanwhile", what, exc, self.outage_timeout)
                waited = now - self._down_since
                if waited >= self.outage_timeout:
                    self._give_up(what, exc, waited)
                    raise RedisUnavailable(self.failed) from None
                time.sleep(min(delay, self.outage_timeout - waited))
                delay = min(delay * 2, 1.0)
                continue
            if self._down_since is not None:
                logger.warning("Redis is back after %.1fs (%s)", time.monotonic() - self._down_since, what)
                self._down_since = None
                self._back_at = time.monotonic()
                if self.keys is not None:
                    self._beat()  # before anyone takes our expired heartbeat for a dead worker
            return result

    def _give_up(self, what: str, exc: Exception, waited: float) -> None:
        self.failed = (f"Redis unreachable for {waited:.0f}s ({what}: {exc}); the worker closed, its requests "
                       f"stay in flight for the next worker")
        self.crawler.stats.set_value("zonecrawler/distributed/redis_unavailable", self.failed)
        logger.error("%s", self.failed)
        from twisted.internet import reactor

        reactor.callLater(0, self._close_failed)

    def _close_failed(self) -> None:
        from scrapy.utils.defer import deferred_from_coro

        engine = self.crawler.engine
        if engine is None or getattr(engine, "_slot", None) is None:
            return  # already closed
        d = deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))
        d.addErrback(lambda failure: logger.debug("closing after the Redis outage: %s", failure.value))

    def _just_back(self) -> bool:
        """Redis came back less than a heartbeat TTL ago: other workers may not have beaten yet."""
        return self._back_at is not None and time.monotonic() - self._back_at < self.ttl

    # --- lifecycle -----------------------------------------------------------
    @property
    def inflight_key(self) -> str:
        return self.keys.inflight(self.worker)

    def open(self, spider) -> None:
        self.spider = spider
        self.keys = Keys(spider.name)
        self.call("register", self.server.sadd, self.keys.workers, self.worker)
        self._beat()
        interval = max(0.2, min(1.0, self.ttl / 4))
        from twisted.internet import task

        self._loop = task.LoopingCall(self._tick)
        self._loop.start(interval, now=False)
        logger.info("distributed mode: worker %s on Redis %s (keys %s:*)", self.worker,
                    self.crawler.settings.get("REDIS_URL"), self.keys.base)

    def spider_closed(self, spider, reason):
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.keys is None or self.failed:
            return  # gave up on Redis: what we hold stays in flight, our heartbeat expires by itself
        try:
            self._flush_acks()
            pipe = self.server.pipeline()
            pipe.delete(self.keys.heartbeat(self.worker))
            if reason == "finished":
                # Closing "finished" happens only when Scrapy is done with every request we popped.
                pipe.delete(self.inflight_key)
                pipe.srem(self.keys.workers, self.worker)
            # Otherwise what is still in flight stays registered and is re-queued by another worker.
            self.call("close", pipe.execute)
        except RedisUnavailable:
            pass

    def _beat(self) -> None:
        self.call("heartbeat", self.server.set, self.keys.heartbeat(self.worker), str(time.time()),
                  px=int(self.ttl * 1000))

    def _tick(self) -> None:
        if self.failed:
            return
        try:
            self._beat()
            self._flush_acks()
            self.recover_dead()
            if self.spider is not None and self.call("start URLs", self.server.llen, self.keys.start_urls):
                for request in self.pop_start_requests(self.spider):  # pushed while we are busy
                    self.crawler.engine.crawl(request)
            # Look at the shared queue (and, when idle, run the idle check) every tick.
            self._wake_engine()
        except RedisUnavailable:
            pass
        except Exception:
            logger.exception("distributed heartbeat failed")

    def _wake_engine(self) -> None:
        """Make the engine look at the shared queue now instead of at its next 5 s heartbeat.

        Scrapy then pops work other workers pushed and, when idle, sends ``spider_idle``.

        Uses the engine's private slot; without it, work pushed by other workers is still
        picked up, only later.
        """
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    # --- acks ------------------------------------------------------------------
    def track(self, request: Request, field) -> None:
        """Ack ``field`` once Scrapy drops its last reference to ``request``.

        The engine holds every scheduled request until its download and the whole processing of
        the response (items through the pipelines and feed, follow-up requests enqueued) are
        done, so the request cannot be collected earlier: an ack may come late, never early.
        """
        weakref.finalize(request, self._acks.append, field)

    def _flush_acks(self) -> None:
        if self.failed or not self._acks or self.keys is None:
            return  # after giving up on Redis nothing is acked: the next worker re-does it all
        fields = list(self._acks)
        self.call("acknowledge", self.server.hdel, self.inflight_key, *fields)
        for _ in fields:  # only once Redis has them: an outage keeps them for the next try
            self._acks.popleft()

    # --- start URLs ------------------------------------------------------------
    async def start(self, spider, config_requests: Iterable[Request]) -> AsyncIterator[Request]:
        """The distributed ``start()``: seed the round once, then take start URLs from Redis."""
        self.recover_dead()
        if self.seed and self.call("start a round", self.server.set, self.keys.round, self.worker, nx=True):
            entries = [json.dumps(request_to_start_entry(r), ensure_ascii=False) for r in config_requests]
            if entries:
                self.call("seed", self.server.rpush, self.keys.start_urls, *entries)
            logger.info("started a new round: pushed %d config start URLs to %s", len(entries), self.keys.start_urls)
        for request in self.pop_start_requests(spider):
            yield request

    def pop_start_requests(self, spider) -> list[Request]:
        """Move every start-URL entry now in Redis into our in-flight hash and make requests."""
        requests = []
        try:
            waiting = self.call("start URLs", self.server.llen, self.keys.start_urls)
        except RedisUnavailable:
            return requests
        for _ in range(max(0, waiting) + 100):
            try:
                got = self.call("pop a start URL", self.pop_start_script,
                                keys=[self.keys.start_urls, self.inflight_key, self.keys.counter])
            except RedisUnavailable:
                break
            if not got:
                break
            field, data = got
            request = start_entry_to_request(spider, data)
            if request is None:
                self._acks.append(field)
                continue
            self.track(request, field)
            requests.append(request)
        return requests

    # --- recovery --------------------------------------------------------------
    def recover_dead(self) -> int:
        """Re-queue the in-flight work of every registered worker whose heartbeat expired.

        Not within a heartbeat TTL after a Redis outage: every worker's heartbeat expired then.
        """
        total = 0
        if self._just_back():
            return total
        try:
            members = self.call("list workers", self.server.smembers, self.keys.workers)
        except RedisUnavailable:
            return total
        for raw in members:
            worker = raw.decode() if isinstance(raw, bytes) else raw
            if worker == self.worker:
                continue
            try:
                n = self.call("re-queue a dead worker", self.requeue_script,
                              keys=[self.keys.heartbeat(worker), self.keys.inflight(worker), self.keys.queue,
                                    self.keys.start_urls, self.keys.workers],
                              args=[worker])
            except RedisUnavailable:
                return total
            if n >= 0:
                logger.warning("worker %s is gone: re-queued its %d in-flight requests", worker, n)
                self.crawler.stats.inc_value("zonecrawler/distributed/requeued", n)
                self.crawler.stats.inc_value("zonecrawler/distributed/dead_workers")
                total += max(n, 0)
        return total

    # --- idle / close ------------------------------------------------------------
    def spider_idle(self, spider):
        """Keep the worker open while the shared crawl is alive; close after a quiet period."""
        if self.failed:
            return  # closing (redis_unavailable)
        try:
            self._idle_check(spider)
        except RedisUnavailable:
            return

    def _idle_check(self, spider) -> None:
        # Our engine is idle: every request we popped is completely processed.
        self.call("acknowledge all", self.server.delete, self.inflight_key)
        self._acks.clear()
        started = self.pop_start_requests(spider)
        for request in started:
            self.crawler.engine.crawl(request)
        if started or self.recover_dead() or self._shared_work_left() or self._just_back():
            self._quiet_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._quiet_since is None:
            self._quiet_since = now
        if now - self._quiet_since < self.idle_close:
            raise DontCloseSpider
        # Quiet everywhere for idle_close seconds: this round is over.
        self.call("end the round", self.server.delete, self.keys.round, self.keys.list_dupefilter)
        logger.info("shared queue drained and all workers idle for %.1fs: closing", self.idle_close)

    def _shared_work_left(self) -> bool:
        if self.call("queue length", self.server.zcard, self.keys.queue) or \
                self.call("start URLs", self.server.llen, self.keys.start_urls):
            return True
        for raw in self.call("list workers", self.server.smembers, self.keys.workers):
            worker = raw.decode() if isinstance(raw, bytes) else raw
            if worker != self.worker and self.call("in flight", self.server.hlen, self.keys.inflight(worker)):
                return True
        return False

    # --- records -----------------------------------------------------------------
    def item_scraped(self, item, spider):
        record_id = item.get("id") if hasattr(item, "get") else None
        if record_id:
            try:
                self.call("mark a record written", self.server.sadd, self.keys.emitted, record_id)
            except RedisUnavailable:
                # The line is on disk but not marked: the worker that re-does its request writes it again.
                logger.warning("Redis unavailable: record %s written but not marked as written", record_id)


def request_to_start_entry(request: Request) -> dict:
    """The JSON entry of ``zonecrawler:<spider>:start_urls`` for a start request."""
    entry: dict[str, Any] = {"url": request.url, "meta": dict(request.meta)}
    for key, func in (("callback", request.callback), ("errback", request.errback)):
        name = getattr(func, "__name__", None)
        if name:
            entry[key] = name
    return entry


def start_entry_to_request(spider, data) -> Request | None:
    """A request from a start-URL entry: JSON ``{"url", "meta"?, "callback"?, "errback"?, "dont_filter"?}``.

    A bare URL string is accepted too. ``callback`` defaults to ``parse_article`` when
    ``meta.zc_kind`` is ``"article"`` and to ``parse_list`` otherwise.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    text = text.strip()
    try:
        entry = json.loads(text) if text.startswith("{") else {"url": text}
    except json.JSONDecodeError:
        logger.warning("ignoring malformed start-URL entry %r", text[:200])
        return None
    url = entry.get("url")
    if not url:
        logger.warning("ignoring start-URL entry without url: %r", text[:200])
        return None
    meta = dict(entry.get("meta") or {})
    meta.setdefault("zc_kind", "list")
    if meta["zc_kind"] == "list":
        meta.setdefault("zc_list_depth", 0)
    sites = getattr(spider, "sites", {})
    if "zc_site" not in meta and len(sites) == 1:
        meta["zc_site"] = next(iter(sites))
    name = entry.get("callback") or ("parse_article" if meta["zc_kind"] == "article" else "parse_list")
    callback = getattr(spider, name, None)
    if callback is None:
        logger.warning("ignoring start-URL entry with unknown callback %r", name)
        return None
    errback = getattr(spider, entry.get("errback") or "on_error", None)
    return Request(url, callback=callback, errback=errback, meta=meta, dont_filter=bool(entry.get("dont_filter", False)))


class EmittedFilterPipeline:
    """Drop a record another worker (or an earlier, killed run) already wrote (shared id set)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = None
        self.key = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        self.server = connection.from_settings(self.crawler.settings)
        self.key = Keys((spider or self.crawler.spider).name).emitted

    def process_item(self, record, spider=None):
        if self.server is None or not record.get("id"):
            return record
        coordinator = coordinator_for(self.crawler)
        try:
            if coordinator is not None:
                seen = coordinator.call("check a record", self.server.sismember, self.key, record["id"])
            else:
                seen = self.server.sismember(self.key, record["id"])
        except RedisUnavailable:
            # Its request is never acked (the worker gave up on Redis): the next worker re-does it.
            self.crawler.stats.inc_value("zonecrawler/distributed/left_in_flight")
            raise DropItem(f"Redis unavailable, left for the next worker: {record.get('url')}") from None
        if seen:
            self.crawler.stats.inc_value("zonecrawler/duplicates/distributed")
            raise DropItem(f"already written by another worker: {record.get('url')}")
        return record
