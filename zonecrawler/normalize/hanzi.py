"""Traditional -> simplified characters for matching zone and place names (蘇州工業園區 -> 苏州工业园区).

Not a general converter: a one-to-one table of the traditional characters that occur in the
names of provinces, cities and development zones, so that traditional-script pages (Hong Kong,
Taiwan, Macau) resolve against the simplified gazetteer. One character maps to one character,
so positions in the converted text are positions in the original.
"""

from __future__ import annotations

_PAIRS = (
    "蘇苏 業业 園园 區区 開开 發发 經经 濟济 術术 產产 綜综 稅税 級级 貿贸 實实 驗验 廣广 東东 臺台 "
    "灣湾 門门 龍龙 陽阳 島岛 寧宁 華华 鄭郑 漢汉 瀋沈 遼辽 黃黄 貴贵 嶺岭 連连 錫锡 無无 長长 興兴 "
    "鎮镇 進进 雲云 廈厦 陝陕 蘭兰 烏乌 齊齐 爾尔 寶宝 慶庆 歐欧 圍围 戶户 關关 蕪芜 鄉乡 縣县 巖岩 "
    "嶼屿 滬沪 閩闽 贛赣 豐丰 鳳凤 衛卫 鐵铁 鋼钢 來来 莊庄 場场 壩坝 灘滩 澤泽 濱滨 臨临 義义 築筑 "
    "軟软 電电 車车 機机 匯汇 彙汇 聯联 盧卢 魯鲁 晉晋 陰阴 靈灵 嶽岳 蓮莲 麗丽 濰潍 煙烟 滄沧 揚扬 "
    "鹽盐 綿绵 瀘泸 榮荣 壽寿 萊莱 灤滦 張张 運运 國国 際际 綫线 線线 設设 層层 兩两 貨货 倉仓 儲储 "
    "創创 務务 點点 葉叶 橋桥 亞亚 邊边 環环"
)
_TABLE = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split()})
TRADITIONAL = "".join(pair[0] for pair in _PAIRS.split())  # every character that to_simplified changes


def to_simplified(text: str) -> str:
    """``text`` with traditional characters of place and zone names replaced by simplified ones."""
    return text.translate(_TABLE)
