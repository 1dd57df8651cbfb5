-- lua-cmsgpack (as Redis ships it): pack(...) and unpack(s), with its type choices: integral

-- numbers in the smallest integer encoding, other numbers float32 when exact else float64,
-- strings as fixstr/str8/str16/str32, tables as arrays when their keys are 1..n else maps,
-- nesting past 16 levels packed as nil. Built on string.pack.
local spack, sunpack, byte, sub, concat = string.pack, string.unpack, string.byte, string.sub, table.concat
local tointeger, mtype = math.tointeger, math.type
local MAX_NESTING = 16

local encode

local function isArray(t)
  local count, max = 0, 0
  for k in pairs(t) do
    if mtype(k) == "integer" or (type(k) == "number" and tointeger(k)) then
      k = tointeger(k)
      if k < 1 then return false end
      if k > max then max = k end
      count = count + 1
    else
      return false
    end
  end
  return max == count
end

local function encodeInteger(n, out)
  if n >= 0 then
    if n < 128 then out[#out + 1] = spack("B", n)
    elseif n < 256 then out[#out + 1] = spack(">BB", 0xcc, n)
    elseif n < 65536 then out[#out + 1] = spack(">BI2", 0xcd, n)
    elseif n < 4294967296 then out[#out + 1] = spack(">BI4", 0xce, n)
    else out[#out + 1] = spack(">Bi8", 0xcf, n) end
  else
    if n >= -32 then out[#out + 1] = spack("b", n)
    elseif n >= -128 then out[#out + 1] = spack(">Bb", 0xd0, n)
    elseif n >= -32768 then out[#out + 1] = spack(">Bi2", 0xd1, n)
    elseif n >= -2147483648 then out[#out + 1] = spack(">Bi4", 0xd2, n)
    else out[#out + 1] = spack(">Bi8", 0xd3, n) end
  end
end

local function encodeString(s, out)
  local n = #s
  if n < 32 then out[#out + 1] = spack("B", 0xa0 | n)
  elseif n < 256 then out[#out + 1] = spack(">BB", 0xd9, n)
  elseif n < 65536 then out[#out + 1] = spack(">BI2", 0xda, n)
  else out[#out + 1] = spack(">BI4", 0xdb, n) end
  out[#out + 1] = s
end

encode = function(v, out, level)
  local t = type(v)
  if t == "nil" then out[#out + 1] = "\xc0"
  elseif t == "boolean" then out[#out + 1] = v and "\xc3" or "\xc2"
  elseif t == "number" then
    local i = tointeger(v)
    if i and (mtype(v) == "integer" or (v >= -9.2233720368547758e18 and v < 9.2233720368547758e18)) then encodeInteger(i, out)
    else
      local f = sunpack("f", spack("f", v))
      if f == v or v ~= v then out[#out + 1] = spack(">Bf", 0xca, v)
      else out[#out + 1] = spack(">Bd", 0xcb, v) end
    end
  elseif t == "string" then encodeString(v, out)
  elseif t == "table" then
    if level >= MAX_NESTING then out[#out + 1] = "\xc0"; return end
    if isArray(v) then
      local n = #v
      if n < 16 then out[#out + 1] = spack("B", 0x90 | n)
      elseif n < 65536 then out[#out + 1] = spack(">BI2", 0xdc, n)
      else out[#out + 1] = spack(">BI4", 0xdd, n) end
      for i = 1, n do encode(v[i], out, level + 1) end
    else
      local n = 0
      for _ in pairs(v) do n = n + 1 end
      if n < 16 then out[#out + 1] = spack("B", 0x80 | n)
      elseif n < 65536 then out[#out + 1] = spack(">BI2", 0xde, n)
      else out[#out + 1] = spack(">BI4", 0xdf, n) end
      for k, val in pairs(v) do
        encode(k, out, level + 1)
        encode(val, out, level + 1)
      end
    end
  else
    out[#out + 1] = "\xc0"
  end
end

local decode

local function need(s, pos, n)
  if pos + n - 1 > #s then error("Missing bytes in input.", 0) end
end

local function decodeArray(s, pos, n)
  local t = {}
  for i = 1, n do t[i], pos = decode(s, pos) end
  return t, pos
end

local function decodeMap(s, pos, n)
  local t = {}
  for _ = 1, n do
    local k, v
    k, pos = decode(s, pos)
    v, pos = decode(s, pos)
    if k ~= nil then t[k] = v end
  end
  return t, pos
end

decode = function(s, pos)
  need(s, pos, 1)
  local c = byte(s, pos)
  pos = pos + 1
  if c < 0x80 then return c, pos end
  if c >= 0xe0 then return c - 256, pos end
  if c >= 0xa0 and c <= 0xbf then local n = c & 0x1f; need(s, pos, n); return sub(s, pos, pos + n - 1), pos + n end
  if c >= 0x90 and c <= 0x9f then return decodeArray(s, pos, c & 0x0f) end
  if c >= 0x80 and c <= 0x8f then return decodeMap(s, pos, c & 0x0f) end
  if c == 0xc0 then return nil, pos end
  if c == 0xc2 then return false, pos end
  if c == 0xc3 then return true, pos end
  local fmt = ({ [0xcc] = ">B", [0xcd] = ">I2", [0xce] = ">I4", [0xcf] = ">i8",
                 [0xd0] = ">b", [0xd1] = ">i2", [0xd2] = ">i4", [0xd3] = ">i8",
                 [0xca] = ">f", [0xcb] = ">d" })[c]
  if fmt then
    need(s, pos, string.packsize(fmt))
    return sunpack(fmt, s, pos)
  end
  local lenfmt = ({ [0xd9] = ">B", [0xda] = ">I2", [0xdb] = ">I4", [0xc4] = ">B", [0xc5] = ">I2", [0xc6] = ">I4" })[c]
  if lenfmt then
    need(s, pos, string.packsize(lenfmt))
    local n
    n, pos = sunpack(lenfmt, s, pos)
    need(s, pos, n)
    return sub(s, pos, pos + n - 1), pos + n
  end
  if c == 0xdc or c == 0xdd then
    local n
    n, pos = sunpack(c == 0xdc and ">I2" or ">I4", s, pos)
    return decodeArray(s, pos, n)
  end
  if c == 0xde or c == 0xdf then
    local n
    n, pos = sunpack(c == 0xde and ">I2" or ">I4", s, pos)
    return decodeMap(s, pos, n)
  end
  error("Bad data format in input.", 0)
end

local cmsgpack = {}
cmsgpack._NAME = "cmsgpack"
cmsgpack._VERSION = "lua-cmsgpack 0.4.0"
cmsgpack.pack = function(...)
  local n = select("#", ...)
  if n == 0 then error("MessagePack pack needs input.", 2) end
  local out = {}
  for i = 1, n do encode((select(i, ...)), out, 0) end
  return concat(out)
end
cmsgpack.unpack = function(s)
  local results, pos = {}, 1
  local n = 0
  while pos <= #s do
    n = n + 1
    results[n], pos = decode(s, pos)
  end
  return table.unpack(results, 1, n)
end
cmsgpack.unpack_one = function(s, offset)
  local pos = (offset or 0) + 1
  local v
  v, pos = decode(s, pos)
  return pos > #s and -1 or pos - 1, v
end
return cmsgpack
