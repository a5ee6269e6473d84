-- wrk script for `just load`: a different search on every request, so that the answers kept
-- for the crowd never serve and each request searches the index and reads its page of
-- profiles from the database. 37 words or phrases × limits 10–49 = 1,480 searches cycled
-- in order, the second thread half-way through the cycle: more than the 1,024 kept.
local words = {
  "nong%20nghiep", "thuy%20san", "cang", "giao%20duc", "y%20te", "thanh%20toan", "van%20tai",
  "du%20lich", "nang%20luong", "moi%20truong", "agri", "farm", "agtech", "pay", "finance",
  "fintech", "edu", "academy", "learning", "health", "care", "medical", "logistics", "express",
  "cargo", "marine", "port", "shipping", "industrial", "tech", "engineering", "mall", "shop",
  "commerce", "mart", "retail", "store",
}
local limits = 40
local threads = 0

function setup(thread)
  thread:set("start", threads * #words * limits / 2)
  threads = threads + 1
end

local n = nil

function request()
  n = (n or start) + 1
  local word = words[n % #words + 1]
  local limit = 10 + math.floor(n / #words) % limits
  return wrk.format("GET", "/api/v1/organizations?q=" .. word .. "&limit=" .. limit)
end
