-- Runs once in each new Lua state, after the libraries and the redis table are in place.
-- Gives scripts the Lua 5.1 names Redis scripts rely on, removes what Redis removes, and makes
-- the globals and library tables read-only the way Redis 7.0 does. Returns the environment
-- scripts run in and the error handler that adds the script position to errors.
local G = _G
local rawset_, rawget_, setmetatable_, error_, type_, tostring_, select_, load_, next_ =
  rawset, rawget, setmetatable, error, type, tostring, select, load, next
local getinfo = debug.getinfo

-- Lua 5.1 names
G.unpack = table.unpack
table.getn = function(t) return #t end
math.pow = function(x, y) return x ^ y end
math.mod = math.fmod
math.log10 = function(x) return math.log(x, 10) end
-- load and loadstring accept source text only: precompiled chunks could break the sandbox.
G.load = function(...)
  local chunk, name, _, env = ...
  if select_('#', ...) >= 4 then return load_(chunk, name, "t", env) end
  return load_(chunk, name, "t")
end
G.loadstring = function(s, name) return G.load(s, name) end

-- Redis 7.0's pcall: an error table raised by redis.call comes back as its message string.
local pcall_, pack_, unpack_ = pcall, table.pack, table.unpack
G.pcall = function(...)
  local r = pack_(pcall_(...))
  if not r[1] and type_(r[2]) == "table" then
    local e = r[2].err
    if type_(e) == "string" or type_(e) == "number" then return false, e end
  end
  return unpack_(r, 1, r.n)
end

-- Removed as in Redis (dofile, loadfile, print) and never loaded (os, io, package, require).
G.dofile, G.loadfile, G.print, G.require, G.package, G.os, G.io, G.warn, G.utf8 = nil

local readonly = setmetatable_({}, { __mode = "k" })
local function readonlyError() error_("Attempt to modify a readonly table", 2) end

local function protect(real)
  local proxy = {}
  readonly[proxy] = true
  setmetatable_(proxy, {
    __index = real,
    __newindex = readonlyError,
    __pairs = function() return next_, real, nil end,
    __len = function() return #real end,
    __metatable = false,
  })
  return proxy
end

G.rawset = function(t, k, v)
  if readonly[t] then error_("Attempt to modify a readonly table", 2) end
  return rawset_(t, k, v)
end

for _, name in ipairs({ "string", "table", "math", "coroutine", "redis", "cjson", "bit", "struct", "cmsgpack" }) do
  if rawget_(G, name) ~= nil then rawset_(G, name, protect(rawget_(G, name))) end
end
-- The string metatable is shared by every string: scripts may read it, not change it.
local stringMeta = getmetatable("")
stringMeta.__metatable = protect(stringMeta)

-- The environment of every script: reads of unknown names fail, writes fail.
local env = {}
readonly[env] = true
setmetatable_(env, {
  __index = function(_, k)
    local v = rawget_(G, k)
    if v == nil then
      error_("Script attempted to access nonexistent global variable '" .. tostring_(k) .. "'", 2)
    end
    return v
  end,
  __newindex = readonlyError,
  __pairs = function() return next_, G, nil end,
  __metatable = false,
})
rawset_(G, "_G", env)

-- Errors become {err=..., source=..., line=...} tables, as Redis's __redis__err__handler makes them.
local function handler(err)
  -- The frame that raised it: past C functions and this file's own guards (chunks named "=...").
  local level = 2
  local i = getinfo(level, "nSl")
  while i and (i.what == "C" or i.source:sub(1, 1) == "=") do
    level = level + 1
    i = getinfo(level, "nSl")
  end
  if type_(err) ~= "table" then err = { err = "ERR " .. tostring_(err) } end
  if i and not readonly[err] then
    err["source"] = i.source
    err["line"] = i.currentline
  end
  return err
end

-- What a script call runs inside its coroutine: the script under the handler, one result.
local xpcall_ = xpcall
local function run(f, ...)
  local ok, v = xpcall_(f, handler, ...)
  return ok, v
end

-- The globals of function libraries (FUNCTION LOAD), as Redis 7.0 gives them: while the library's
-- code runs, it sees only a redis table with register_function, log, the LOG_* levels and the
-- version; afterwards its functions see the globals every script sees. The library's functions
-- share its _ENV, so one table switches between the two views.
local function nonexistent(k)
  error_("Script attempted to access nonexistent global variable '" .. tostring_(k) .. "'", 3)
end
local function functionEnvironment(registerFunction)
  local realRedis = G.redis
  local loadRedis = { register_function = registerFunction, log = realRedis.log,
    LOG_DEBUG = realRedis.LOG_DEBUG, LOG_VERBOSE = realRedis.LOG_VERBOSE, LOG_NOTICE = realRedis.LOG_NOTICE,
    LOG_WARNING = realRedis.LOG_WARNING, REDIS_VERSION = realRedis.REDIS_VERSION,
    REDIS_VERSION_NUM = realRedis.REDIS_VERSION_NUM }
  local loadApi = {}
  readonly[loadApi] = true
  setmetatable_(loadApi, {
    __index = function(_, k)
      local v = rawget_(loadRedis, k)
      if v == nil then nonexistent(k) end
      return v
    end,
    __newindex = readonlyError,
    __metatable = false,
  })
  local loading = false
  local fenv = {}
  readonly[fenv] = true
  setmetatable_(fenv, {
    __index = function(_, k)
      local v
      if loading then
        if k == "redis" then v = loadApi end
      else
        v = rawget_(G, k)
      end
      if v == nil then nonexistent(k) end
      return v
    end,
    __newindex = readonlyError,
    __pairs = function() if loading then return next_, { redis = loadApi }, nil end return next_, G, nil end,
    __metatable = false,
  })
  return fenv, function(on) loading = on end
end

G.debug = nil
return env, run, functionEnvironment
