-- lua-cjson (as Redis ships it): encode and decode with its rules. Numbers are written with

-- "%.14g"; strings escape '"', '\', '/' and control characters; a table is an array when its
-- keys are positive integers (holes become null, "excessively sparse" ones fail), otherwise an
-- object, and the empty table encodes as {}. cjson.null is a NULL light userdata, passed in by
-- the engine because Lua code cannot make one.
local null = ...
local format, byte, char, sub, find, concat, gsub = string.format, string.byte, string.char, string.sub, string.find, table.concat, string.gsub
local tointeger, huge = math.tointeger, math.huge

local cjson = { null = null, _NAME = "cjson", _VERSION = "2.1.0" }
local maxDepth, decodeMaxDepth, sparseRatio, sparseSafe, sparseConvert = 1000, 1000, 2, 10, false

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['/'] = '\\/', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape(s)
  return '"' .. gsub(s, '[%c"\\/]', function(c)
    return escapes[c] or format("\\u%04x", byte(c))
  end) .. '"'
end

local function number(n)
  if n ~= n or n == huge or n == -huge then error("Cannot serialise number: must not be NaN or Inf", 0) end
  return format("%.14g", n)
end

local encodeValue

local function arrayLength(t)
  local max, items = 0, 0
  for k in pairs(t) do
    local i = type(k) == "number" and tointeger(k)
    if not i or i < 1 then return -1 end
    if i > max then max = i end
    items = items + 1
  end
  if sparseRatio > 0 and max > items * sparseRatio and max > sparseSafe then
    if not sparseConvert then error("Cannot serialise table: excessively sparse array", 0) end
    return -1
  end
  return max
end

encodeValue = function(v, depth, out)
  local t = type(v)
  if t == "string" then out[#out + 1] = escape(v)
  elseif t == "number" then out[#out + 1] = number(v)
  elseif t == "boolean" then out[#out + 1] = v and "true" or "false"
  elseif t == "nil" or v == null then out[#out + 1] = "null"
  elseif t == "table" then
    depth = depth + 1
    if depth > maxDepth then error("Cannot serialise, excessive nesting (" .. depth .. ")", 0) end
    local n = arrayLength(v)
    if n > 0 then
      out[#out + 1] = "["
      for i = 1, n do
        if i > 1 then out[#out + 1] = "," end
        encodeValue(v[i], depth, out)
      end
      out[#out + 1] = "]"
    else
      out[#out + 1] = "{"
      local first = true
      for k, val in pairs(v) do
        local kt = type(k)
        if not first then out[#out + 1] = "," end
        first = false
        if kt == "string" then out[#out + 1] = escape(k)
        elseif kt == "number" then out[#out + 1] = '"' .. number(k) .. '"'
        else error("Cannot serialise " .. kt .. ": table key must be a number or string", 0) end
        out[#out + 1] = ":"
        encodeValue(val, depth, out)
      end
      out[#out + 1] = "}"
    end
  else
    error("Cannot serialise " .. t .. ": type not supported", 0)
  end
end

cjson.encode = function(v)
  local out = {}
  encodeValue(v, 0, out)
  return concat(out)
end

-- Decoding
local decodeValue

local tokenNames = { ["{"] = "T_OBJ_BEGIN", ["}"] = "T_OBJ_END", ["["] = "T_ARR_BEGIN", ["]"] = "T_ARR_END",
  ['"'] = "T_STRING", [":"] = "T_COLON", [","] = "T_COMMA" }
local function fail(s, pos, what)
  local c = sub(s, pos, pos)
  local found
  if pos > #s then found = "T_END"
  elseif tokenNames[c] then found = tokenNames[c]
  elseif find(c, "[-%d]") then found = "T_NUMBER"
  elseif sub(s, pos, pos + 3) == "true" or sub(s, pos, pos + 4) == "false" then found = "T_BOOLEAN"
  elseif sub(s, pos, pos + 3) == "null" then found = "T_NULL"
  else found = "invalid token" end
  error(format("Expected %s but found %s at character %d", what, found, pos), 0)
end

local function skip(s, pos)
  local _, e = find(s, "^[ \n\r\t]*", pos)
  return e + 1
end

local function utf8char(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)) end
  if cp < 0x10000 then return char(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)) end
  return char(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f))
end

local unescapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ['\\'] = '\\', ['/'] = '/' }

local function decodeString(s, pos)
  local parts, i = {}, pos + 1
  while true do
    local e = find(s, '["\\]', i)
    if not e then error(format("Expected object key string but found invalid token at character %d", pos), 0) end
    parts[#parts + 1] = sub(s, i, e - 1)
    if sub(s, e, e) == '"' then return concat(parts), e + 1 end
    local c = sub(s, e + 1, e + 1)
    if c == "u" then
      local hex = sub(s, e + 2, e + 5)
      local cp = tonumber(hex, 16)
      if not cp or #hex ~= 4 then error(format("Expected value but found invalid unicode escape code at character %d", e), 0) end
      local nextI = e + 6
      if cp >= 0xd800 and cp <= 0xdbff and sub(s, nextI, nextI + 1) == "\\u" then
        local low = tonumber(sub(s, nextI + 2, nextI + 5), 16)
        if low and low >= 0xdc00 and low <= 0xdfff then
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00)
          nextI = nextI + 6
        end
      end
      parts[#parts + 1] = utf8char(cp)
      i = nextI
    elseif unescapes[c] then
      parts[#parts + 1] = unescapes[c]
      i = e + 2
    else
      error(format("Expected value but found invalid escape code at character %d", e), 0)
    end
  end
end

decodeValue = function(s, pos, depth)
  pos = skip(s, pos)
  local c = sub(s, pos, pos)
  if c == "{" then
    depth = depth + 1
    if depth > decodeMaxDepth then error(format("Found too many nested data structures (%d) at character %d", depth, pos), 0) end
    local t = {}
    pos = skip(s, pos + 1)
    if sub(s, pos, pos) == "}" then return t, pos + 1 end
    while true do
      pos = skip(s, pos)
      if sub(s, pos, pos) ~= '"' then fail(s, pos, "object key string") end
      local k
      k, pos = decodeString(s, pos)
      pos = skip(s, pos)
      if sub(s, pos, pos) ~= ":" then fail(s, pos, "colon") end
      t[k], pos = decodeValue(s, pos + 1, depth)
      pos = skip(s, pos)
      local d = sub(s, pos, pos)
      if d == "}" then return t, pos + 1 end
      if d ~= "," then fail(s, pos, "comma or object end") end
      pos = pos + 1
    end
  elseif c == "[" then
    depth = depth + 1
    if depth > decodeMaxDepth then error(format("Found too many nested data structures (%d) at character %d", depth, pos), 0) end
    local t, n = {}, 0
    pos = skip(s, pos + 1)
    if sub(s, pos, pos) == "]" then return t, pos + 1 end
    while true do
      n = n + 1
      t[n], pos = decodeValue(s, pos, depth)
      pos = skip(s, pos)
      local d = sub(s, pos, pos)
      if d == "]" then return t, pos + 1 end
      if d ~= "," then fail(s, pos, "comma or array end") end
      pos = pos + 1
    end
  elseif c == '"' then
    return decodeString(s, pos)
  elseif sub(s, pos, pos + 3) == "true" then return true, pos + 4
  elseif sub(s, pos, pos + 4) == "false" then return false, pos + 5
  elseif sub(s, pos, pos + 3) == "null" then return null, pos + 4
  else
    local _, e = find(s, "^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
    if not e then fail(s, pos, "value") end
    local text = sub(s, pos, e)
    local n = tonumber(text)
    if n == nil then fail(s, pos, "value") end
    -- Integral literals come back as integers so that tostring() prints them as Lua 5.1 did.
    if find(text, "^-?%d+$") and tointeger(n) then n = tointeger(n) end
    return n, e + 1
  end
end

cjson.decode = function(s)
  if type(s) ~= "string" then error("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", 2) end
  local v, pos = decodeValue(s, 1, 0)
  pos = skip(s, pos)
  if pos <= #s then fail(s, pos, "the end") end
  return v
end

-- Configuration functions (they return the current settings, as lua-cjson's do).
cjson.encode_max_depth = function(n) if n then maxDepth = n end return maxDepth end
cjson.decode_max_depth = function(n) if n then decodeMaxDepth = n end return decodeMaxDepth end
cjson.encode_sparse_array = function(convert, ratio, safe)
  if convert ~= nil then sparseConvert = convert end
  if ratio then sparseRatio = ratio end
  if safe then sparseSafe = safe end
  return sparseConvert, sparseRatio, sparseSafe
end
cjson.encode_keep_buffer = function() return true end
cjson.encode_number_precision = function() return 14 end
cjson.encode_invalid_numbers = function() return false end
cjson.decode_invalid_numbers = function() return true end
return cjson
