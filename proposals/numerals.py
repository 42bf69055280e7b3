"""Chinese numerals as they appear in session names: 十八届, 一次会议."""

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    if n < 0 or n >= 100:
        raise ValueError(f"{n} is outside 0..99")
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


def chinese_date(value) -> str:
    """2018年6月20日: full digits, no zero padding (GB/T 9704)."""
    return f"{value.year}年{value.month}月{value.day}日"
