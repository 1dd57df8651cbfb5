-- Roberto Ierusalimschy's "struct" library (as Redis ships it): pack, unpack, size, built on
-- Lua 5.4's string.pack one item at a time, so struct's own codes keep their meaning
-- ("s" zero-terminated, "c0" sized by the previous number, "l"/"L" 8 bytes, "!" alignment).

local spack, sunpack, ssize, byte, sub, find = string.pack, string.unpack, string.packsize, string.byte, string.sub, string.find

local function items(fmt)
  local list, i = {}, 1
  while i <= #fmt do
    local c = sub(fmt, i, i)
    local digits = string.match(fmt, "^%d+", i + 1)
    i = i + 1 + (digits and #digits or 0)
    list[#list + 1] = { c, digits and tonumber(digits) }
  end
  return list
end

local function code(c, n, endian)
  if c == "b" or c == "B" or c == "h" or c == "H" or c == "f" or c == "d" or c == "x" then return endian .. c end
  if c == "l" then return endian .. "i8" end
  if c == "L" then return endian .. "I8" end
  if c == "T" then return endian .. "I8" end
  if c == "i" then return endian .. "i" .. (n or 4) end
  if c == "I" then return endian .. "I" .. (n or 4) end
  return nil
end

local function isint(c) return c == "b" or c == "B" or c == "h" or c == "H" or c == "l" or c == "L" or c == "T" or c == "i" or c == "I" end

local struct = {}

struct.pack = function(fmt, ...)
  local out, endian, arg, align = {}, "<", 1, 1
  local len = 0
  for _, it in ipairs(items(fmt)) do
    local c, n = it[1], it[2]
    if c == "<" or c == ">" or c == "=" then endian = c == "=" and "<" or c
    elseif c == "!" then align = n or 8
    elseif c == " " then
    elseif c == "s" then
      local s = select(arg, ...); arg = arg + 1
      local piece = spack("z", s); out[#out + 1] = piece; len = len + #piece
    elseif c == "c" then
      local s = tostring(select(arg, ...)); arg = arg + 1
      local size = n or 1
      if size == 0 then size = #s end
      if #s < size then error("bad argument #" .. arg .. " to 'pack' (string too short)", 2) end
      local piece = sub(s, 1, size); out[#out + 1] = piece; len = len + #piece
    else
      local f = code(c, n, endian)
      if f == nil then error("invalid format option '" .. c .. "'", 2) end
      local size = ssize(f)
      local a = size < align and size or align
      if a > 1 and len % a ~= 0 then
        local pad = string.rep("\0", a - len % a); out[#out + 1] = pad; len = len + #pad
      end
      local piece
      if c == "x" then piece = spack(f)
      else
        local v = select(arg, ...); arg = arg + 1
        if isint(c) then
          v = math.tointeger(v) or math.tointeger(math.floor(tonumber(v) or 0)) or 0
          -- struct wraps out-of-range integers instead of failing
          local bits = (size * 8)
          if bits < 64 then v = v & ((1 << bits) - 1) end
          if bits < 64 and (c == "b" or c == "h" or c == "i" or c == "l") and v >= (1 << (bits - 1)) then v = v - (1 << bits) end
        end
        piece = spack(f, v)
      end
      out[#out + 1] = piece; len = len + #piece
    end
  end
  return table.concat(out)
end

struct.unpack = function(fmt, data, init)
  local results, endian, pos, align, last = {}, "<", init or 1, 1, nil
  for _, it in ipairs(items(fmt)) do
    local c, n = it[1], it[2]
    if c == "<" or c == ">" or c == "=" then endian = c == "=" and "<" or c
    elseif c == "!" then align = n or 8
    elseif c == " " then
    elseif c == "s" then
      local e = find(data, "\0", pos, true)
      if not e then error("bad argument #2 to 'unpack' (unfinished string in data)", 0) end
      results[#results + 1] = sub(data, pos, e - 1); pos = e + 1
    elseif c == "c" then
      local size = n or 1
      if size == 0 then
        if type(last) ~= "number" then error("format 'c0' needs a previous size", 2) end
        size = last
      end
      if pos + size - 1 > #data then error("bad argument #2 to 'unpack' (data string too short)", 0) end
      results[#results + 1] = sub(data, pos, pos + size - 1); pos = pos + size
    else
      local f = code(c, n, endian)
      if f == nil then error("invalid format option '" .. c .. "'", 2) end
      local size = ssize(f)
      local a = size < align and size or align
      if a > 1 and (pos - 1) % a ~= 0 then pos = pos + a - (pos - 1) % a end
      if pos + size - 1 > #data then error("bad argument #2 to 'unpack' (data string too short)", 0) end
      if c == "x" then pos = pos + 1
      else
        local v
        v, pos = sunpack(f, data, pos)
        last = v
        results[#results + 1] = v
      end
    end
  end
  results[#results + 1] = pos
  return table.unpack(results)
end

struct.size = function(fmt)
  local len, align = 0, 1
  for _, it in ipairs(items(fmt)) do
    local c, n = it[1], it[2]
    if c == "!" then align = n or 8
    elseif c == "<" or c == ">" or c == "=" or c == " " then
    elseif c == "s" then error("options 's' has no fixed size", 2)
    elseif c == "c" then
      if (n or 1) == 0 then error("options 'c0' has no fixed size", 2) end
      len = len + (n or 1)
    else
      local f = code(c, n, "<")
      if f == nil then error("invalid format option '" .. c .. "'", 2) end
      local size = ssize(f)
      local a = size < align and size or align
      if a > 1 and len % a ~= 0 then len = len + a - len % a end
      len = len + size
    end
  end
  return len
end
return struct
