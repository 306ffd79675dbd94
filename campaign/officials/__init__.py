"""Officials a campaign addresses: sheriffs, county board members and chairs."""
