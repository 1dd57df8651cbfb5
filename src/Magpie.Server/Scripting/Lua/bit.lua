-- LuaBitOp's "bit" module (as Redis ships it) on Lua 5.4's native integer operators.
-- Every result is a signed 32-bit integer, as LuaBitOp returns.
local floor, tointeger, format, sub = math.floor, math.tointeger, string.format, string.sub

local function tobit(x)
  local n = tointeger(x)
  if n == nil then
    if type(x) ~= "number" then x = tonumber(x) or error("bad argument #1 (number expected)", 3) end
    -- LuaBitOp rounds to nearest (the 2^52+2^51 trick); half-way values go to even.
    local f = floor(x)
    local d = x - f
    if d > 0.5 or (d == 0.5 and f % 2 == 1) then f = f + 1 end
    n = tointeger(f % 4294967296) or 0
  end
  n = n & 0xffffffff
  if n >= 0x80000000 then n = n - 0x100000000 end
  return n
end

local function u32(x) return tobit(x) & 0xffffffff end

local bit = {}
bit.tobit = function(x) return tobit(x) end
bit.bnot = function(x) return tobit(~u32(x)) end
bit.band = function(x, ...)
  local r = u32(x)
  for i = 1, select("#", ...) do r = r & u32((select(i, ...))) end
  return tobit(r)
end
bit.bor = function(x, ...)
  local r = u32(x)
  for i = 1, select("#", ...) do r = r | u32((select(i, ...))) end
  return tobit(r)
end
bit.bxor = function(x, ...)
  local r = u32(x)
  for i = 1, select("#", ...) do r = r ~ u32((select(i, ...))) end
  return tobit(r)
end
bit.lshift = function(x, n) return tobit((u32(x) << (u32(n) & 31)) & 0xffffffff) end
bit.rshift = function(x, n) return tobit(u32(x) >> (u32(n) & 31)) end
bit.arshift = function(x, n)
  local v, s = tobit(x), u32(n) & 31
  return tobit(v >> s | (v < 0 and s > 0 and ~(0xffffffff >> s) & 0xffffffff or 0))
end
bit.rol = function(x, n)
  local v, s = u32(x), u32(n) & 31
  return tobit(((v << s) | (v >> (32 - s))) & 0xffffffff)
end
bit.ror = function(x, n)
  local v, s = u32(x), u32(n) & 31
  return tobit(((v >> s) | (v << (32 - s))) & 0xffffffff)
end
bit.bswap = function(x)
  local v = u32(x)
  return tobit(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >> 8) & 0xff00) | (v >> 24))
end
bit.tohex = function(x, n)
  local v = u32(x)
  n = n == nil and 8 or tobit(n)
  local upper = n < 0
  if upper then n = -n end
  if n > 8 then n = 8 end
  local s = format(upper and "%08X" or "%08x", v)
  return sub(s, 9 - n)
end
return bit
